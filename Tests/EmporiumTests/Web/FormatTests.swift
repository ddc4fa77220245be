import Emporium
import EmporiumWeb
import Foundation
import Testing

@Suite(.timeLimit(.minutes(1)))
struct FormatTests {
    @Test func pricesReadInDollarsWithThousandsSeparators() {
        #expect(Format.money(Money(amount: 129_999)) == "$1,299.99")
        #expect(Format.money(Money(amount: 5)) == "$0.05")
        #expect(Format.money(Money(amount: 100_000_000)) == "$1,000,000.00")
        #expect(Format.money(Money(amount: -499)) == "$-4.99")
        #expect(Format.money(Money(amount: 1250, currency: "EUR")) == "12.50 EUR")
    }

    @Test func typedPricesBecomeMinorUnitsOrNothing() {
        #expect(Format.minorUnits("12.99") == 1299)
        #expect(Format.minorUnits("12.5") == 1250)
        #expect(Format.minorUnits("12") == 1200)
        for bad in ["", "12.999", "-1", "1e3", "abc", "1.2.3", "99999999"] {
            #expect(Format.minorUnits(bad) == nil, "\(bad)")
        }
    }

    @Test func ratingsShowAsFiveStarsRoundedToTheNearest() {
        #expect(Format.stars(4.4) == "★★★★☆")
        #expect(Format.stars(4.5) == "★★★★★")
        #expect(Format.stars(0) == "☆☆☆☆☆")
        #expect(Format.stars(9) == "★★★★★")
        #expect(Format.rating(4.44) == "4.4 out of 5")
    }

    @Test func datesReadAsMonthDayYearInUTC() {
        #expect(Format.date("2026-12-07T14:05:09Z") == "Dec 7, 2026, 14:05 UTC")
        #expect(Format.date("2026-01-02T03:04:05.678Z") == "Jan 2, 2026, 03:04 UTC")
        #expect(Format.date("not a date") == "not a date")
    }

    @Test func orderStatusesReadInTheShoppersWords() {
        #expect(Format.status(.pendingPayment) == "Awaiting payment")
        #expect(Format.count(1, "item") == "1 item")
        #expect(Format.count(3, "item") == "3 items")
    }
}

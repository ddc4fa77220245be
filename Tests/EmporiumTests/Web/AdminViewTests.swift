import Foundation
import Testing

@testable import Emporium
@testable import EmporiumWeb

@Suite(.timeLimit(.minutes(1)))
struct AdminViewTests {
    static let day = 86_400_000

    static func days(_ figures: [(orders: Int, cents: Int)]) -> [DailySales] {
        figures.enumerated().map { index, figure in
            DailySales(
                dayStart: (20_000 + index) * day, orders: figure.orders, revenue: Money(amount: figure.cents))
        }
    }

    @Test func theChartHasABarPerDayScaledToTheBestDayWithItsFiguresAsText() {
        let svg = SalesChart(days: Self.days([(0, 0), (2, 5000), (1, 10_000)])).svg
        #expect(svg.components(separatedBy: "<rect class=\"chart-bar\"").count - 1 == 3)
        #expect(svg.contains(#"data-revenue="10000" data-orders="1""#))
        #expect(svg.contains("<title>Oct 5: $50.00, 2 orders</title>"))
        #expect(svg.contains("role=\"img\"") && svg.contains("aria-labelledby=\"sales-chart-title\""))
        #expect(svg.contains("last 3 days: $150.00 from 3 orders."))
        // The best day's bar fills the plot; a day without sales has no height.
        let plot = Double(SalesChart.height - SalesChart.top - SalesChart.bottom)
        #expect(svg.contains("height=\"\(SalesChart.number(plot))\" data-revenue=\"10000\""))
        #expect(svg.contains("height=\"0.0\" data-revenue=\"0\""))
    }

    @Test func aChartOfNoSalesDrawsFlatBarsWithoutDividingByZero() {
        let svg = SalesChart(days: Self.days(Array(repeating: (0, 0), count: 30))).svg
        #expect(!svg.contains("nan") && !svg.contains("inf"))
        #expect(svg.components(separatedBy: "height=\"0.0\"").count - 1 == 30)
    }

    @Test func axisMoneyStaysShortEnoughForAPhone() {
        #expect(SalesChart.compact(Money(amount: 4999)) == "$49.99")
        #expect(SalesChart.compact(Money(amount: 1_234_567)) == "$12.3k")
        #expect(SalesChart.compact(Money(amount: 450_000_000)) == "$4.5M")
    }

    @Test func aDatetimeLocalInputIsReadAsUTC() {
        #expect(AdminShopView.utc("2026-12-07T14:30") == "2026-12-07T14:30:00Z")
        #expect(AdminShopView.utc("2026-12-07T14:30:15") == "2026-12-07T14:30:15Z")
        #expect(AdminShopView.utc("tomorrow") == "tomorrow")
        let noon = Date(timeIntervalSince1970: 1_796_644_800)
        #expect(AdminShopView.local(noon) == "2026-12-07T12:00")
    }

    @Test func formPricesAreDecimalsInMinorUnitsAndAnythingElseIsAFieldMessage() throws {
        #expect(try PriceField.minorUnits("12.99").get() == 1299)
        #expect(try PriceField.minorUnits(" 7 ").get() == 700)
        for bad in ["12.999", "12,99", "$5", "-1", "1e2"] {
            guard case .failure(.notADecimal) = PriceField.minorUnits(bad) else {
                Issue.record("\(bad) was taken")
                continue
            }
        }
        guard case .failure(.missing) = PriceField.minorUnits("  ") else {
            Issue.record("an empty price was taken")
            return
        }
        #expect(AdminProductView.decimal(Money(amount: 123_456)) == "1234.56")
    }

    @Test func catalogFieldPathsNameTheNewProductFormsFields() {
        #expect(AdminProductView.newProductField("variants.0.price.amount") == "price")
        #expect(AdminProductView.newProductField("variants.0.title") == "variantTitle")
        #expect(AdminProductView.newProductField("variants.0.stock") == "stock")
        #expect(AdminProductView.newProductField("variants") == "sku")
        #expect(AdminProductView.newProductField("title") == "title")
    }
}

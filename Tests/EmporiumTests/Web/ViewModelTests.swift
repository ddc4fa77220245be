import Foundation
import Testing

@testable import Emporium
@testable import EmporiumSearch
@testable import EmporiumWeb

@Suite(.timeLimit(.minutes(1)))
struct ViewModelTests {
    let result = SearchResult(
        hits: [], total: 45, matchedAllWords: true, brandFacet: [("Stride", 30), ("Larch", 15)],
        categoryFacet: [.init(id: "cat_shoes", name: "Shoes", count: 45)],
        priceFacet: [
            .init(from: 0, to: 2500, count: 5), .init(from: 2500, to: 5000, count: 40),
            .init(from: 50000, to: nil, count: 0),
        ],
        ratingFacet: [.init(min: 4, count: 20), .init(min: 1, count: 45)])

    @Test func searchLinksKeepTheOtherFiltersAndStartAgainAtPageOne() {
        let request = SearchRequest(text: "trail shoe", brands: ["Stride"], minPrice: 2500, sort: .priceAsc, page: 2)
        let view = SearchView(request: request, result: result)
        #expect(
            view.url { $0.category = "cat_shoes" }
                == "/search?q=trail%20shoe&category=cat_shoes&brand=Stride&minPrice=2500&sort=price_asc")
        let context = view.context
        #expect(
            context["nextUrl"] as? String == "/search?q=trail%20shoe&brand=Stride&minPrice=2500&sort=price_asc&page=3")
        #expect(context["previousUrl"] as? String == "/search?q=trail%20shoe&brand=Stride&minPrice=2500&sort=price_asc")
        #expect(context["resultCount"] as? String == "45 results")
        let prices = context["prices"] as? [[String: Any]] ?? []
        #expect(prices.map { $0["label"] as? String } == ["Under $25.00", "$25.00 to $50.00"])
        #expect(
            prices.last?["url"] as? String
                == "/search?q=trail%20shoe&brand=Stride&minPrice=2500&maxPrice=5000&sort=price_asc")
        let ratings = context["ratings"] as? [[String: Any]] ?? []
        #expect(ratings.map { $0["label"] as? String } == ["4 stars & up"])
        let brands = context["brands"] as? [[String: Any]] ?? []
        #expect(brands.map { $0["checked"] as? Bool } == [true, false])
    }

    @Test func brandAndCategoryFacetsOfferTheTwelveLargestAndTheChosenOnes() {
        let brands = (1...15).map { (value: "Brand \($0)", count: 100 - $0) }
        let many = SearchResult(
            hits: [], total: 99, matchedAllWords: true, brandFacet: brands, categoryFacet: [], priceFacet: [],
            ratingFacet: [])
        let view = SearchView(request: SearchRequest(brands: ["Brand 15"]), result: many)
        #expect(view.brandChoices.map(\.value) == (1...12).map { "Brand \($0)" } + ["Brand 15"])
        let categories = SearchResult(
            hits: [], total: 99, matchedAllWords: true, brandFacet: [],
            categoryFacet: (1...20).map { .init(id: "cat_\($0)", name: "Category \($0)", count: 100 - $0) },
            priceFacet: [], ratingFacet: [])
        let inCategory = SearchView(request: SearchRequest(category: "cat_20"), result: categories)
        #expect(inCategory.categoryChoices.map(\.id) == (1...12).map { "cat_\($0)" } + ["cat_20"])
    }

    @Test func theLastPageHasNoNextLink() {
        let view = SearchView(request: SearchRequest(page: 3), result: result)
        #expect(view.context["nextUrl"] == nil)
        #expect(view.context["pages"] as? Int == 3)
    }

    @Test func aFlashSaleSaysWhenItStartsOrEnds() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func sale(_ status: FlashSaleStatus, startsIn: TimeInterval, endsIn: TimeInterval) -> FlashSale {
            FlashSale(
                id: "fls_1", sku: "S", productId: "prd_1", title: "Kettle", salePrice: Money(amount: 999), quantity: 10,
                remaining: 4, perCustomerLimit: 1,
                startsAt: Timestamp.rfc3339(Int((now.timeIntervalSince1970 + startsIn) * 1000)),
                endsAt: Timestamp.rfc3339(Int((now.timeIntervalSince1970 + endsIn) * 1000)), status: status)
        }
        #expect(FlashSaleView.clock(sale(.scheduled, startsIn: 7500, endsIn: 9000), now: now) == "Starts in 2 h 5 min")
        #expect(FlashSaleView.clock(sale(.live, startsIn: -60, endsIn: 720), now: now) == "Ends in 12 min")
        #expect(FlashSaleView.clock(sale(.live, startsIn: -60, endsIn: 42), now: now) == "Ends in 42 s")
        #expect(FlashSaleView.clock(sale(.ended, startsIn: -60, endsIn: -1), now: now) == "Ended")
        #expect(FlashSaleView.card(sale(.live, startsIn: -60, endsIn: 720))["price"] as? String == "$9.99")
    }

    @Test func thePayPageSaysHowLongTheReservationHolds() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let in14 = Timestamp.rfc3339(1_800_000_000_000 + 14 * 60_000 + 30_000)
        #expect(OrderView.timeLeft(until: in14, now: now).hasPrefix("14 minutes left to pay"))
        #expect(
            OrderView.timeLeft(until: Timestamp.rfc3339(1_800_000_000_000 - 1), now: now)
                == "The reservation has run out.")
        #expect(OrderView.note("payment_timeout") == "Not paid in time")
    }

    @Test func cartWarningsReadInTheShoppersWords() {
        var warning = CartWarning(sku: "S1", code: .priceChanged)
        warning.previousPrice = Money(amount: 1999)
        warning.currentPrice = Money(amount: 2499)
        #expect(
            CartPageView.message(warning, titles: ["S1": "Kettle"])
                == "The price of Kettle changed from $19.99 to $24.99.")
        #expect(
            CartPageView.message(.unavailable("S2", reason: "discontinued"), titles: [:])
                == "S2 is no longer available; remove it to check out.")
        #expect(ProductView.availability(0) == "Sold out")
        #expect(ProductView.availability(3) == "Only 3 left")
        #expect(ProductView.availability(40) == "In stock")
    }

    @Test func sessionIdsAndTokensAreBase64URLOfTheirBytes() {
        for count in [0, 1, 2, 3, 31, 32, 33] {
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255) }
            let expected = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            #expect(Sessions.base64URL(bytes) == expected)
        }
        let id = Sessions.newId()
        #expect(Sessions.isWellFormed(id) && id != Sessions.newId())
    }
}

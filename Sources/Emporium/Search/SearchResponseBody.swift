import EmporiumSearch
import HTTPTypes
import Hummingbird
import NIOCore

/// The JSON body of `GET /products/search` (api.md, "Search"), written straight into a buffer: through
/// `JSONEncoder` its facets and items cost more than a typical search itself.
struct SearchResponseBody {
    let result: SearchResult
    let request: SearchRequest
    let tookMs: Double

    func response() -> Response {
        let body = json()
        return Response(
            status: .ok,
            headers: [.contentType: "application/json; charset=utf-8", .contentLength: String(body.readableBytes)],
            body: .init(byteBuffer: body)
        )
    }

    func json() -> ByteBuffer {
        var json = JSONWriter(capacity: 8192)
        json.object { json in
            json.key("items")
            json.array(result.hits) { json, hit in item(hit, into: &json) }
            json.key("total")
            json.int(result.total)
            json.key("page")
            json.int(request.page)
            json.key("pageSize")
            json.int(request.pageSize)
            // `all` when every word matched; `any` when nothing had every word and products with some are shown.
            json.key("matchMode")
            json.string(result.matchedAllWords ? "all" : "any")
            json.key("facets")
            facets(into: &json)
            json.key("tookMs")
            json.double((tookMs * 1000).rounded() / 1000)
        }
        return json.buffer
    }

    private func item(_ hit: SearchResult.Hit, into json: inout JSONWriter) {
        json.object { json in
            json.key("id")
            json.string(hit.id)
            json.key("slug")
            json.string(hit.slug)
            json.key("title")
            json.string(hit.title)
            json.key("brand")
            json.string(hit.brand)
            json.key("price")
            json.object { json in
                json.key("amount")
                json.int(hit.price)
                json.key("currency")
                json.string(hit.currency)
            }
            // Null, not absent, for a product without images.
            json.key("thumbnailUrl")
            json.string(hit.thumbnailUrl)
            json.key("rating")
            json.object { json in
                json.key("average")
                json.double((hit.ratingAverage * 10).rounded() / 10)
                json.key("count")
                json.int(hit.ratingCount)
            }
            json.key("inStock")
            json.bool(hit.inStock)
        }
    }

    private func facets(into json: inout JSONWriter) {
        json.object { json in
            json.key("brand")
            json.array(result.brandFacet) { json, brand in
                json.object { json in
                    json.key("value")
                    json.string(brand.value)
                    json.key("count")
                    json.int(brand.count)
                }
            }
            json.key("category")
            json.array(result.categoryFacet) { json, category in
                json.object { json in
                    json.key("id")
                    json.string(category.id)
                    json.key("name")
                    json.string(category.name)
                    json.key("count")
                    json.int(category.count)
                }
            }
            json.key("price")
            json.array(result.priceFacet) { json, bucket in
                json.object { json in
                    json.key("from")
                    json.int(bucket.from)
                    // The open top bucket has `"to": null`.
                    json.key("to")
                    json.int(bucket.to)
                    json.key("count")
                    json.int(bucket.count)
                }
            }
            json.key("rating")
            json.array(result.ratingFacet) { json, rating in
                json.object { json in
                    json.key("min")
                    json.int(rating.min)
                    json.key("count")
                    json.int(rating.count)
                }
            }
        }
    }
}

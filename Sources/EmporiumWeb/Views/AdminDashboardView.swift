import Emporium
import Foundation

/// The dashboard: today's figures, the 30-day chart (and its figures as a table), orders waiting to ship and SKUs
/// running low.
struct AdminDashboardView {
    let days: [DailySales]
    let waiting: [OrderSummary]
    let waitingCount: Int
    let lowStock: [LowStockItem]

    var context: [String: Any] {
        let today = days.last
        let currency = today?.revenue.currency ?? "USD"
        let revenue = days.reduce(0) { $0 + $1.revenue.amount }
        return [
            "todayOrders": today?.orders ?? 0,
            "todayRevenue": Format.money(today?.revenue ?? Money(amount: 0, currency: currency)),
            "monthOrders": Format.count(days.reduce(0) { $0 + $1.orders }, "order"),
            "monthRevenue": Format.money(Money(amount: revenue, currency: currency)),
            "chartSvg": SalesChart(days: days).svg,
            "dayRows": days.reversed().map { day in
                [
                    "date": SalesChart.dayLabel(day.dayStart), "orders": day.orders,
                    "revenue": Format.money(day.revenue),
                ] as [String: Any]
            },
            "waiting": waiting.map(AdminOrderView.row),
            "hasWaiting": !waiting.isEmpty,
            "waitingCount": waitingCount,
            "lowStock": lowStock.map { item in
                [
                    "sku": item.sku, "title": item.title, "variantTitle": item.variantTitle,
                    "available": item.available, "threshold": item.threshold,
                    "url": "/admin/products/" + item.productId.queryEncoded + "#stock-" + item.sku.queryEncoded,
                ] as [String: Any]
            },
            "hasLowStock": !lowStock.isEmpty,
        ]
    }
}

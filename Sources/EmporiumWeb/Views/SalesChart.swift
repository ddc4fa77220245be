import Emporium
import Foundation

/// Revenue and orders per day as an inline SVG, drawn on the server: a bar of revenue per day and a line of the
/// number of orders, each day's figures in its `<title>` (a tooltip, and text for screen readers). No script.
struct SalesChart {
    let days: [DailySales]

    static let (width, height) = (720, 240)
    static let (left, right, top, bottom) = (96, 48, 24, 36)

    var svg: String {
        let plotWidth = Double(Self.width - Self.left - Self.right)
        let plotHeight = Double(Self.height - Self.top - Self.bottom)
        let maxRevenue = max(1, days.map(\.revenue.amount).max() ?? 1)
        let maxOrders = max(1, days.map(\.orders).max() ?? 1)
        let slot = plotWidth / Double(max(1, days.count))
        let baseline = Double(Self.top) + plotHeight
        var bars = ""
        var points: [String] = []
        for (index, day) in days.enumerated() {
            let x = Double(Self.left) + slot * Double(index)
            let barHeight = plotHeight * Double(day.revenue.amount) / Double(maxRevenue)
            let label = Self.escaped(
                "\(Self.dayLabel(day.dayStart)): \(Format.money(day.revenue)), \(Format.count(day.orders, "order"))")
            bars += """
                <rect class="chart-bar" x="\(Self.number(x + slot * 0.15))" y="\(Self.number(baseline - barHeight))" \
                width="\(Self.number(slot * 0.7))" height="\(Self.number(barHeight))" \
                data-revenue="\(day.revenue.amount)" data-orders="\(day.orders)"><title>\(label)</title></rect>
                """
            let y = baseline - plotHeight * Double(day.orders) / Double(maxOrders)
            points.append("\(Self.number(x + slot / 2)),\(Self.number(y))")
        }
        let total = days.reduce(0) { $0 + $1.revenue.amount }
        let orders = days.reduce(0) { $0 + $1.orders }
        let currency = days.first?.revenue.currency ?? "USD"
        let summary = Self.escaped(
            "Revenue and orders per day, last \(days.count) days: \(Format.money(Money(amount: total, currency: currency))) "
                + "from \(Format.count(orders, "order")).")
        let axis = Self.axisLabels(maxRevenue: maxRevenue, maxOrders: maxOrders, currency: currency, baseline: baseline)
        return """
            <svg class="sales-chart" data-test="sales-chart" role="img" aria-labelledby="sales-chart-title" \
            viewBox="0 0 \(Self.width) \(Self.height)" xmlns="http://www.w3.org/2000/svg">
            <title id="sales-chart-title">\(summary)</title>
            <line class="chart-axis" x1="\(Self.left)" y1="\(Self.number(baseline))" x2="\(Self.width - Self.right)" \
            y2="\(Self.number(baseline))"/>
            \(axis)\(bars)
            <polyline class="chart-line" points="\(points.joined(separator: " "))"/>
            </svg>
            """
    }

    private static func axisLabels(maxRevenue: Int, maxOrders: Int, currency: String, baseline: Double) -> String {
        let top = Double(Self.top) + 10
        let maxMoney = escaped(compact(Money(amount: maxRevenue, currency: currency)))
        return """
            <text class="chart-label" x="\(Self.left - 6)" y="\(number(top))" text-anchor="end">\(maxMoney)</text>
            <text class="chart-label" x="\(Self.left - 6)" y="\(number(baseline))" text-anchor="end">0</text>
            <text class="chart-label chart-label-orders" x="\(Self.width - Self.right + 6)" y="\(number(top))">\
            \(maxOrders)</text>
            <text class="chart-label" x="\(Self.left)" y="\(Self.height - 6)">30 days ago</text>
            <text class="chart-label" x="\(Self.width - Self.right)" y="\(Self.height - 6)" text-anchor="end">Today</text>

            """
    }

    /// An axis label short enough for a phone: `$49.99`, `$12.3k`, `$4.5M`.
    static func compact(_ money: Money) -> String {
        let dollars = Double(money.amount) / 100
        let symbol = money.currency == "USD" ? "$" : money.currency + " "
        switch dollars {
        case 1_000_000...: return symbol + String(format: "%.1fM", dollars / 1_000_000)
        case 1000...: return symbol + String(format: "%.1fk", dollars / 1000)
        default: return Format.money(money)
        }
    }

    /// `Dec 7` for the day starting at `millis`.
    static func dayLabel(_ millis: Int) -> String {
        Date(timeIntervalSince1970: Double(millis) / 1000).formatted(dayStyle)
    }

    private static let dayStyle = Date.VerbatimFormatStyle(
        format: "\(month: .abbreviated) \(day: .defaultDigits)", locale: Locale(identifier: "en_US_POSIX"),
        timeZone: Format.utc, calendar: Calendar(identifier: .gregorian))

    static func number(_ value: Double) -> String { String(format: "%.1f", value) }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

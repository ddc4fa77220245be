import Emporium
import HTTPTypes
import Hummingbird

/// An answer that ends a page route early: a redirect (post/redirect/get, sign-in needed) or an error page.
enum PageExit: Error {
    case redirect(String)
    case error(HTTPResponse.Status, String)

    static let notFound = PageExit.error(.notFound, "We could not find that page.")
    static let forbidden = PageExit.error(
        .forbidden, "This form has expired or did not come from this shop. Go back, reload the page and try again.")
}

/// What a shopper reads for an error of a service: the problem's own detail for what they can fix, a plain
/// sentence for the rest (never a stack trace or SQL).
enum PageProblem {
    static func message(_ error: any Error) -> (status: HTTPResponse.Status, message: String)? {
        switch error {
        case let exit as PageExit:
            if case .error(let status, let message) = exit { return (status, message) }
            return nil
        case let problem as Problem:
            return (problem.status, problem.detail)
        case let convertible as any ProblemConvertible:
            return (convertible.problem.status, convertible.problem.detail)
        case let error as any HTTPResponseError where error.status == .notFound:
            return (.notFound, "We could not find that page.")
        case let error as any HTTPResponseError where error.status.code < 500:
            return (error.status, error.status.reasonPhrase)
        default:
            return nil
        }
    }

    /// The field errors of a validation problem by form field (`shippingAddress.city` is the form's `city`, unless
    /// `named` names it otherwise from the whole path).
    static func fieldErrors(
        _ error: any Error,
        named: (String) -> String = { String($0.split(separator: ".").last ?? Substring($0)) }
    ) -> [String: String] {
        let problem = (error as? Problem) ?? (error as? any ProblemConvertible)?.problem
        guard case .array(let errors)? = problem?.extra["errors"] else { return [:] }
        var fields: [String: String] = [:]
        for case .object(let entry) in errors {
            guard case .string(let field)? = entry["field"], case .string(let message)? = entry["message"] else {
                continue
            }
            let name = named(field)
            fields[name] = fields[name] ?? message
        }
        return fields
    }
}

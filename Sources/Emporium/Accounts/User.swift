import Foundation

/// A shopper's or an admin's account, as the API shows it.
public struct User: Codable, Sendable, Equatable {
    public let id: String
    public let email: String
    public let name: String
    public let role: Role
    public let createdAt: String
}

/// What went wrong in Accounts, in the shop's words; the routes map each to a problem.
public enum AccountsError: Error, Equatable {
    case emailTaken
    case invalidCredentials
    case loginThrottled(retryAfterSeconds: Int)
    case refreshTokenUnknown
    case refreshTokenReused
    case refreshTokenRevoked
    case refreshTokenExpired
    case userNotFound
}

/// What signup, login and refresh hand back.
public struct Session: Codable, Sendable {
    public let user: User
    public let accessToken: String
    public let refreshToken: String
    public let expiresIn: Int
}

/// Rules for the fields of a new account.
enum AccountRules {
    static func normalizedEmail(_ email: String) -> String {
        email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    static func validateSignup(email: String, password: String, name: String) throws {
        var validator = Validator()
        let email = normalizedEmail(email)
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        validator.check(
            email.count <= 254 && parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".")
                && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".") && !email.contains(where: \.isWhitespace),
            "email",
            "must be a valid email address"
        )
        validator.check(password.count >= 8, "password", "must be at least 8 characters")
        validator.check(password.utf8.count <= 72, "password", "must be at most 72 bytes")
        let trimmedName = name.trimmingCharacters(in: .whitespacesAndNewlines)
        validator.check(!trimmedName.isEmpty, "name", "must not be empty")
        validator.check(trimmedName.count <= 100, "name", "must be at most 100 characters")
        try validator.throwIfInvalid()
    }
}

public enum EmporiumSearchVersion { public static let value = 1 }

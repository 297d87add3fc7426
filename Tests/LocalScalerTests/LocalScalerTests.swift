import Testing
@testable import LocalScaler

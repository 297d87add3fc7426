import Testing
@testable import WebService

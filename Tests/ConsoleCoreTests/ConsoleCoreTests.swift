import Testing
@testable import ConsoleCore

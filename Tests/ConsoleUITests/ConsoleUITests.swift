import Testing
@testable import ConsoleUI

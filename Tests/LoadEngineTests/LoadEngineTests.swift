import Testing
@testable import LoadEngine

import Testing
@testable import WorkerService

import Testing
@testable import JetStream

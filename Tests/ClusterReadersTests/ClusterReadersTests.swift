import Testing
@testable import ClusterReaders

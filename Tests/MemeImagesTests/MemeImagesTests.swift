import Testing
@testable import MemeImages

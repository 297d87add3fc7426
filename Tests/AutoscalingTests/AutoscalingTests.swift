import Testing
@testable import Autoscaling

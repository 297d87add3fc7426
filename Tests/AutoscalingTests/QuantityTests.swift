import Testing
@testable import Autoscaling

/// Examples from the Kubernetes API reference for Quantity ("1.5 will be serialized as 1500m",
/// "0.1m will rounded up to 1m", 1Ki = 1024, 1k = 1000) and from the captured VPA fixtures.
@Suite struct QuantityTests {
    @Test(arguments: [
        ("100m", 100), ("1", 1000), ("1388m", 1388), ("746m", 746), ("1.5", 1500), ("0.1m", 1), ("1e3", 1_000_000),
        ("2", 2000), ("0.5", 500), (".5", 500), ("38334m", 38334), ("2135500m", 2_135_500), ("6k", 6_000_000), ("1e-3", 1),
        ("1.0001", 1001), ("+250m", 250),
    ])
    func cpuMillicores(_ text: String, _ millis: Int) throws {
        #expect(try Quantity(text).millis == millis)
    }

    @Test(arguments: [
        ("262144k", 262_144_000), ("2Gi", 2_147_483_648), ("673899999", 673_899_999), ("64Mi", 67_108_864), ("500M", 500_000_000),
        ("1e3", 1000), ("1Gi", 1_073_741_824), ("70Mi", 73_400_320), ("1.5Gi", 1_610_612_736), ("1Ki", 1024), ("1k", 1000),
        ("68517888", 68_517_888), ("400M", 400_000_000), ("100m", 1), ("129e6", 129_000_000), ("1.5", 2),
    ])
    func memoryBytes(_ text: String, _ bytes: Int) throws {
        #expect(try Quantity(text).units == bytes)
    }

    @Test(arguments: ["", "abc", "1.2.3", "5Xi", "12 Mi", "m", "1e", "--1", "99999999999999999999"])
    func rejectsBadInput(_ text: String) {
        #expect(throws: QuantityError.self) { try Quantity(text).millis }
    }

    @Test func errorsNameTheInput() {
        #expect(throws: QuantityError("5Xi", "unknown suffix \"Xi\" (expected m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or e<n>)")) {
            try Quantity("5Xi")
        }
        #expect(throws: QuantityError("9Ei", "too large")) { try Quantity("9Ei").millis }
    }

    @Test func formats() {
        #expect(QuantityFormat.millicores(100) == "100m")
        #expect(QuantityFormat.millicores(1000) == "1")
        #expect(QuantityFormat.millicores(1388) == "1.388")
        #expect(QuantityFormat.bytes(67_108_864) == "64Mi")
        #expect(QuantityFormat.bytes(262_144_000) == "250Mi")
        #expect(QuantityFormat.bytes(673_899_999) == "642.7Mi")
        #expect(QuantityFormat.bytes(512) == "512")
        #expect(QuantityFormat.decimal(2_135_500, places: 3) == "2135.5")
    }
}

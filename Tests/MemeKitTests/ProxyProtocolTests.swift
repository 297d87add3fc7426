import Testing
@testable import MemeKit

/// PROXY protocol v1 lines (haproxy.org "The PROXY protocol", section 2.1), both directions.
@Suite struct ProxyProtocolTests {
    @Test func writesTheLineForEachFamily() {
        #expect(ProxyProtocolV1.line(sourceIP: "192.168.1.20", sourcePort: 52044, destinationIP: "127.0.0.1", destinationPort: 8080)
            == "PROXY TCP4 192.168.1.20 127.0.0.1 52044 8080\r\n")
        #expect(ProxyProtocolV1.line(sourceIP: "fe80::1", sourcePort: 1, destinationIP: "::1", destinationPort: 2)
            == "PROXY TCP6 fe80::1 ::1 1 2\r\n")
        #expect(ProxyProtocolV1.line(sourceIP: "10.0.0.1", sourcePort: 1, destinationIP: "::1", destinationPort: 2) == "PROXY UNKNOWN\r\n")
    }

    @Test func readsWhatItWrote() {
        let line = ProxyProtocolV1.line(sourceIP: "10.1.2.3", sourcePort: 5000, destinationIP: "127.0.0.1", destinationPort: 8080)
        #expect(ProxyProtocolV1.parse(Array((line + "GET / HTTP/1.1\r\n").utf8)) == .header(source: "10.1.2.3", length: line.utf8.count))
        #expect(ProxyProtocolV1.parse(Array("PROXY TCP6 fe80::1 ::1 1 2\r\n".utf8)) == .header(source: "fe80::1", length: 28))
        #expect(ProxyProtocolV1.parse(Array("PROXY UNKNOWN\r\n".utf8)) == .header(source: nil, length: 15))
    }

    @Test func tellsAbsentIncompleteAndInvalidApart() {
        #expect(ProxyProtocolV1.parse(Array("GET / HTTP/1.1\r\n".utf8)) == .absent)
        #expect(ProxyProtocolV1.parse(Array("PRO".utf8)) == .incomplete)
        #expect(ProxyProtocolV1.parse(Array("PROXY TCP4 10.1.2.3 127.0.0.1 5000 80".utf8)) == .incomplete)
        #expect(ProxyProtocolV1.parse(Array("PROXY TCP4 10.1.2.3 127.0.0.1 5000 8080\r".utf8)) == .incomplete)
        #expect(ProxyProtocolV1.parse(Array("PROXY TCP4 10.1.2.3 127.0.0.1 5000 8080\rX".utf8)) == .invalid("PROXY line not ended by CRLF"))
        #expect(ProxyProtocolV1.parse(Array("PROXY TCP4 10.1.2.999 127.0.0.1 5000 8080\r\n".utf8))
            == .invalid("PROXY line has a bad address or port"))
        #expect(ProxyProtocolV1.parse(Array("PROXY TCP4 10.1.2.3 127.0.0.1 70000 8080\r\n".utf8))
            == .invalid("PROXY line has a bad address or port"))
        #expect(ProxyProtocolV1.parse(Array("PROXY UDP4 a b 1 2\r\n".utf8))
            == .invalid("PROXY line must be 'PROXY TCP4|TCP6 src dst sport dport' or 'PROXY UNKNOWN'"))
        #expect(ProxyProtocolV1.parse(Array(("PROXY " + String(repeating: "x", count: 120)).utf8))
            == .invalid("PROXY line longer than 107 bytes"))
    }
}

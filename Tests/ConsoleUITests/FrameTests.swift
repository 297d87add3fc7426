import Testing
@testable import ConsoleUI

@Suite("Frame")
struct FrameTests {
    @Test func putClipsAtTheRightEdgeAndLimit() {
        var f = Frame(size: TerminalSize(columns: 5, rows: 2))
        let end = f.put("abcdefgh", row: 0, column: 2)
        #expect(end == 5)
        #expect(f.lines == ["  abc", ""])
        f.put("xyz", row: 1, column: 0, limit: 2)
        #expect(f.lines[1] == "xy")
        // Rows and columns outside the grid are ignored.
        f.put("zzz", row: 5, column: 0)
        f.put("zzz", row: -1, column: 0)
        f.put("zz", row: 0, column: -1)
        #expect(f.lines[0] == "z abc")
    }

    @Test func wideCharactersTakeTwoCellsAndNeverStraddleTheEdge() {
        var f = Frame(size: TerminalSize(columns: 5, rows: 1))
        f.put("猫猫猫", row: 0, column: 0)
        #expect(f[0, 0].text == "猫" && f[0, 0].width == 2)
        #expect(f[0, 1].width == 0 && f[0, 1].text.isEmpty)
        #expect(f[0, 4].text == " ")  // the third 猫 would need columns 4 and 5
        #expect(f.lines == ["猫猫"])
    }

    @Test func overwritingHalfAWideCharacterBlanksTheOtherHalf() {
        var f = Frame(size: TerminalSize(columns: 4, rows: 1))
        f.put("猫猫", row: 0, column: 0)
        f.put("x", row: 0, column: 1)  // right half of the first 猫
        #expect(f.lines == [" x猫"])
        f.put("y", row: 0, column: 2)  // left half of the second 猫
        #expect(f.lines == [" xy"])
        #expect(f[0, 3].width == 1)
    }

    @Test func drawEndsAnOverlongLineWithAnEllipsis() {
        var f = Frame(size: TerminalSize(columns: 10, rows: 1))
        f.draw([Span("nats "), Span("down: connection refused", .bad)], row: 0, column: 0, width: 8)
        #expect(f.lines == ["nats do…"])
        #expect(f[0, 7].style == .bad)
    }

    @Test func emptyFrameHasNoLines() {
        let f = Frame(size: TerminalSize(columns: 0, rows: 0))
        #expect(f.lines.isEmpty)
        #expect(TerminalSize(columns: -3, rows: 2).columns == 0)
    }
}

@Suite("Widgets")
struct WidgetTests {
    @Test func sparklineScalesToTheLargestValueShown() {
        #expect(sparkline([0, 1, 2, 4, 8], width: 10) == "▁▂▃▅█")
        #expect(sparkline([5, 5, 5], width: 10) == "███")
        #expect(sparkline([0, 0], width: 10) == "▁▁")
        #expect(sparkline([1, 2, 3, 4], width: 2) == "▆█")
        #expect(sparkline([], width: 5) == "")
        #expect(sparkline([-3, 2], width: 5) == "▁█")
    }

    @Test func barFillsProportionally() {
        #expect(bar(0.5, width: 10) == ("█████", "░░░░░"))
        #expect(bar(2, width: 4) == ("████", ""))
        #expect(bar(0.01, width: 10).filled == "█")  // any lag shows
        #expect(bar(.nan, width: 3) == ("", "░░░"))
        #expect(bar(0.5, width: 0) == ("", ""))
    }

    @Test func bigDigitsAreThreeRowsOfEqualWidth() {
        for font in BigFont.allCases {
            let rows = font.render("1204k—")
            #expect(rows.count == font.rows)
            #expect(rows.allSatisfy { displayWidth($0) == font.width("1204k—") })
        }
        #expect(BigFont.large.render("1") == ["  ██  ", "████  ", "  ██  ", "  ██  ", "██████"])
        #expect(BigFont.small.width("12") == 7 && BigFont.large.width("12") == 14)
        #expect(bigNumber(123_456) == "123k")
        #expect(bigNumber(nil) == "—")
    }

    @Test func formats() {
        #expect(Format.bytes(268_435_456) == "256Mi")
        #expect(Format.bytes(1_610_612_736) == "1.5Gi")
        #expect(Format.bytes(512) == "512")
        #expect(Format.cpu(250) == "250m")
        #expect(Format.seconds(0.84) == "840 ms")
        #expect(Format.seconds(2.6) == "2.6 s")
        #expect(Format.seconds(nil) == "—")
        #expect(Format.seconds(.nan) == "—")
        #expect(Format.rate(38.44) == "38/s")
        #expect(Format.rate(0.25) == "0.3/s")
        #expect(Format.decimal(-0.5) == "-0.5")
        #expect(Format.decimal(.infinity) == "—")
        #expect(Format.timeOfDay("2026-11-28T23:41:07Z") == "23:41:07")
        #expect(Format.timeOfDay("12:00:01") == "12:00:01")
    }
}

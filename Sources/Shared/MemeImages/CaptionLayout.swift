/// Pure caption geometry and shrink-to-fit search; the renderer supplies the measuring function.
///
/// Like memegen: start with a large font and shrink until the wrapped text fits the caption box
/// (width, height and at most ``maxLines`` lines). A binary search over whole pixel sizes finds the
/// largest size that fits, assuming text that fits at size s also fits at any smaller size.
public struct CaptionLayout: Sendable, Equatable {
    /// Edge of the square image in pixels.
    public var imageSize: Int
    public var maxLines: Int

    public init(imageSize: Int, maxLines: Int = 3) {
        self.imageSize = imageSize
        self.maxLines = maxLines
    }

    /// Space between the caption and the image edge.
    public var margin: Int { max(4, imageSize * 3 / 100) }
    /// Width available to a caption.
    public var boxWidth: Int { imageSize - 2 * margin }
    /// Height available to one caption (top or bottom band); a bit under a third of the image.
    public var boxHeight: Int { imageSize * 30 / 100 }
    /// Starting (largest) font size in pixels: about 9 lines' worth of the image height.
    public var maxFontSize: Int { max(8, imageSize * 11 / 100) }
    /// Smallest size before text is cut with an ellipsis instead (still readable on a projector).
    public var minFontSize: Int { max(6, imageSize * 35 / 1000) }
    /// Width of the black outline for a font size (drawn centred on the glyph edge, so half shows).
    public func outlineWidth(fontSize: Int) -> Double { max(2, Double(fontSize) * 0.16) }

    /// What the renderer measured for one font size.
    public struct Measurement: Sendable, Equatable {
        public var lineCount: Int
        public var width: Int
        public var height: Int
        public init(lineCount: Int, width: Int, height: Int) {
            self.lineCount = lineCount
            self.width = width
            self.height = height
        }
    }

    /// The chosen size for one caption.
    public struct Fit: Sendable, Equatable {
        public var fontSize: Int
        public var lineCount: Int
        /// False when even ``CaptionLayout/minFontSize`` was too big: the renderer then cuts the
        /// text to ``CaptionLayout/maxLines`` lines with an ellipsis.
        public var fits: Bool
    }

    public func fits(_ m: Measurement) -> Bool {
        m.lineCount <= maxLines && m.width <= boxWidth && m.height <= boxHeight
    }

    /// Largest font size in `minFontSize...maxFontSize` whose measurement fits the box.
    public func fit(measure: (Int) throws -> Measurement) rethrows -> Fit {
        var low = minFontSize
        var high = maxFontSize
        let top = try measure(high)
        if fits(top) { return Fit(fontSize: high, lineCount: top.lineCount, fits: true) }
        let bottom = try measure(low)
        guard fits(bottom) else {
            return Fit(fontSize: low, lineCount: min(bottom.lineCount, maxLines), fits: false)
        }
        // Invariant: low fits, high does not.
        var best = bottom
        while high - low > 1 {
            let mid = (low + high) / 2
            let m = try measure(mid)
            if fits(m) { low = mid; best = m } else { high = mid }
        }
        return Fit(fontSize: low, lineCount: best.lineCount, fits: true)
    }
}

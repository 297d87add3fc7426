#!/usr/bin/env python3
"""Pillow baseline for `meme-bench render`: the same captioned memes the Swift renderer draws.

Same work per image: a solid background, top and bottom captions in DejaVu Sans Bold, white with a
black outline (ImageDraw stroke_width), word-wrapped to the caption box with at most 3 lines, the
font size chosen by the same binary search (largest size that fits), saved as PNG in memory.
Prints one JSON line: {"renders": N, "seconds": S}. Not a pytest module (no test_ prefix).
"""
import argparse
import io
import json
import time

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

_fonts = {}


def font(size):
    if size not in _fonts:
        _fonts[size] = ImageFont.truetype(FONT, size)
    return _fonts[size]


def wrap(draw, text, size, width):
    f = font(size)
    lines, current = [], ""
    for word in text.split():
        candidate = word if not current else current + " " + word
        if draw.textlength(candidate, font=f) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def measure(draw, text, size, width):
    lines = wrap(draw, text, size, width)
    outline = max(2, int(size * 0.16 + 0.999))
    f = font(size)
    widest = max(draw.textlength(line, font=f) for line in lines)
    height = int(len(lines) * size * 1.17) + outline
    return lines, widest + outline, height


def fit(draw, text, image_size):
    margin = max(4, image_size * 3 // 100)
    box_w, box_h = image_size - 2 * margin, image_size * 30 // 100
    lo, hi = max(6, image_size * 35 // 1000), max(8, image_size * 11 // 100)

    def fits(size):
        lines, w, h = measure(draw, text, size, box_w)
        return len(lines) <= 3 and w <= box_w and h <= box_h, lines

    ok, lines = fits(hi)
    if ok:
        return hi, lines
    ok, lines = fits(lo)
    if not ok:
        return lo, lines[:3]
    best = lines
    while hi - lo > 1:
        mid = (lo + hi) // 2
        ok, lines = fits(mid)
        if ok:
            lo, best = mid, lines
        else:
            hi = mid
    return lo, best


def render(top, bottom, size):
    image = Image.new("RGB", (size, size), (51, 102, 204))
    draw = ImageDraw.Draw(image)
    margin = max(4, size * 3 // 100)
    for text, at_top in ((top, True), (bottom, False)):
        if not text:
            continue
        font_size, lines = fit(draw, text, size)
        f = font(font_size)
        stroke = max(1, int(font_size * 0.08))
        line_h = int(font_size * 1.17)
        y = margin if at_top else size - margin - line_h * len(lines)
        for line in lines:
            w = draw.textlength(line, font=f)
            draw.text(((size - w) / 2, y), line, font=f, fill="white", stroke_width=stroke, stroke_fill="black")
            y += line_h
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--texts", required=True, help="JSON list of [top, bottom] pairs")
    parser.add_argument("--sample", help="write the first render here")
    args = parser.parse_args()
    texts = json.loads(args.texts)
    for top, bottom in texts:  # warm-up: font loading
        render(top, bottom, args.size)
    start = time.perf_counter()
    for i in range(args.count):
        top, bottom = texts[i % len(texts)]
        png = render(top, bottom, args.size)
        if i == 0 and args.sample:
            with open(args.sample, "wb") as fh:
                fh.write(png)
    print(json.dumps({"renders": args.count, "seconds": time.perf_counter() - start}))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Pillow baseline for `meme-bench render`: the same captioned memes the Swift renderer draws.

Same work per image: a solid background, top and bottom captions in DejaVu Sans Bold, white with a
black outline (ImageDraw stroke_width), word-wrapped to the caption box with at most 3 lines, the
font size chosen by the same binary search (largest size that fits), saved as PNG in memory.

With --arts (a JSON list of the backgrounds MemeImages.OfflineArt chose, one per image) it draws
the worker's offline meme instead of a solid colour, step by step as RenderEngine.drawGenerated
does: the two-colour linear gradient at the art's angle, the pattern (stripes, dots, rings or
sunburst) in white at 10 % opacity, anti-aliased by drawing its mask at 2x and shrinking it, the
radial vignette (transparent at 25 % of the edge, 40 % black at 75 %), the white glow behind the
emoji, the Noto Color Emoji glyph (its 109 px bitmap strike scaled to 30 % of the image, centred
at 47.5 % of the height), then the captions. --compress-level/--compress-type choose the zlib
settings of Image.save (the Swift renderer uses level 3, Z_RLE).

Prints one JSON line: {"renders": N, "seconds": S, "cpu_seconds": C (this thread's CPU time),
"bytes": mean PNG size}. Not a pytest module.
"""
import argparse
import io
import json
import math
import time
import zlib

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
EMOJI_FONT = "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"

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


def rgb(colour):
    return tuple(round(c * 255) for c in colour)


def gradient(art, size):
    """The linear gradient from art["from"] to art["to"] along art["angle"] (degrees, y down),
    spanning the image's edge through its centre and padded beyond, as cairo's linear pattern."""
    diagonal = int(math.ceil(size * math.sqrt(2))) + 2
    ramp = Image.linear_gradient("L").resize((diagonal, size))  # 0 at the top, 255 at the bottom
    mask = Image.new("L", (diagonal, diagonal), 0)
    top = (diagonal - size) // 2
    mask.paste(ramp, (0, top))
    mask.paste(255, (0, top + size, diagonal, diagonal))
    # The ramp runs downwards (90 degrees); rotating counter-clockwise by 90 - angle points it at angle.
    mask = mask.rotate(90 - art["angle"], resample=Image.BILINEAR)
    mask = mask.crop((top, top, top + size, top + size))
    return Image.composite(Image.new("RGB", (size, size), rgb(art["to"])),
                           Image.new("RGB", (size, size), rgb(art["from"])), mask)


def pattern_mask(name, size):
    """Coverage of the pattern at 2x, shrunk to size (anti-aliasing, as cairo's)."""
    k = 2
    s = size * k
    c = s / 2
    mask = Image.new("L", (s, s), 0)
    draw = ImageDraw.Draw(mask)
    if name == "stripes":
        width = round(s / 24)
        offset = -s
        while offset < s:
            draw.line([(offset, s), (offset + s, 0)], fill=255, width=width)
            offset += s / 8
    elif name == "dots":
        step = s / 12
        radius = step / 6
        for row in range(13):
            for column in range(13):
                x = column * step + (0 if row % 2 == 0 else step / 2)
                y = row * step
                draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=255)
    elif name == "rings":
        width = s / 40
        radius = s / 10
        while radius < s:
            outer = radius + width / 2
            draw.ellipse([c - outer, c * 0.9 - outer, c + outer, c * 0.9 + outer], outline=255, width=round(width))
            radius += s / 10
    elif name == "sunburst":
        rays = 16
        for ray in range(0, rays, 2):
            a0 = ray * 2 * math.pi / rays
            a1 = (ray + 1) * 2 * math.pi / rays
            draw.polygon([(c, c * 0.9), (c + math.cos(a0) * s, c * 0.9 + math.sin(a0) * s),
                          (c + math.cos(a1) * s, c * 0.9 + math.sin(a1) * s)], fill=255)
    return mask.resize((size, size), Image.BOX)


def radial(diameter):
    """Distance from the centre: 0 there, 255 at the corners (diameter / 2 * sqrt 2), as Pillow's
    radial_gradient scales it."""
    return Image.radial_gradient("L").resize((diameter, diameter), Image.BILINEAR)


_emoji = {}


def emoji_glyph(emoji):
    """The colour bitmap at the font's only strike (109 px), cropped to its ink."""
    if EMOJI_FONT not in _fonts:
        _fonts[EMOJI_FONT] = ImageFont.truetype(EMOJI_FONT, 109)
    canvas = Image.new("RGBA", (160, 160), (0, 0, 0, 0))
    ImageDraw.Draw(canvas).text((8, 8), emoji, font=_fonts[EMOJI_FONT], embedded_color=True)
    return canvas.crop(canvas.getbbox() or (0, 0, 1, 1))


def offline_background(art, size):
    image = gradient(art, size)
    coverage = pattern_mask(art["pattern"], size)
    image.paste((255, 255, 255), mask=coverage.point(lambda v: round(v * 0.10)))
    c = size / 2
    # Vignette: alpha 0 up to 0.25 size from the centre, rising to 0.40 at 0.75 size.
    corner = size / 2 * math.sqrt(2)  # the distance radial(size) maps to 255
    vignette = radial(size).point(lambda v: round(255 * 0.40 * min(1, max(0, (v / 255 * corner - 0.25 * size) / (0.5 * size)))))
    image.paste((0, 0, 0), mask=vignette)
    # Glow: white, 0.45 at the emoji's centre fading to 0 at 0.30 size.
    glow_d = round(size * 0.60)
    glow = radial(glow_d).point(lambda v: round(255 * 0.45 * max(0, 1 - v / 255 * math.sqrt(2))))
    centre_y = c * 0.95
    image.paste((255, 255, 255), (round(c - glow_d / 2), round(centre_y - glow_d / 2)), mask=glow)
    # The emoji: 109 px strike scaled to an em of 0.30 size.
    glyph = emoji_glyph(art["emoji"])
    scale = size * 0.30 / 109
    glyph = glyph.resize((max(1, round(glyph.width * scale)), max(1, round(glyph.height * scale))), Image.BILINEAR)
    image.paste(glyph, (round(c - glyph.width / 2), round(centre_y - glyph.height / 2)), mask=glyph)
    return image


def render(top, bottom, size, art=None, save_options=None):
    image = offline_background(art, size) if art else Image.new("RGB", (size, size), (51, 102, 204))
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
    image.save(out, format="PNG", **(save_options or {}))
    return out.getvalue()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--texts", required=True, help="JSON list of [top, bottom] pairs")
    parser.add_argument("--arts", help="JSON file: a list of offline backgrounds "
                        '({"from": [r,g,b], "to": [r,g,b], "pattern": str, "angle": deg, "emoji": str}), one per image')
    parser.add_argument("--compress-level", type=int, help="zlib level for Image.save (default: Pillow's)")
    parser.add_argument("--compress-type", choices=["default", "rle", "filtered", "huffman"],
                        help="zlib strategy for Image.save (default: Pillow's)")
    parser.add_argument("--sample", help="write the first render here")
    args = parser.parse_args()
    texts = json.loads(args.texts)
    arts = None
    if args.arts:
        with open(args.arts) as fh:
            arts = json.load(fh)
    options = {}
    if args.compress_level is not None:
        options["compress_level"] = args.compress_level
    if args.compress_type:
        options["compress_type"] = {"default": zlib.Z_DEFAULT_STRATEGY, "rle": zlib.Z_RLE,
                                    "filtered": zlib.Z_FILTERED, "huffman": zlib.Z_HUFFMAN_ONLY}[args.compress_type]

    def art(i):
        return arts[i % len(arts)] if arts else None

    for i, (top, bottom) in enumerate(texts):  # warm-up: font loading
        render(top, bottom, args.size, art(i), options)
    total = 0
    cpu = time.thread_time()
    start = time.perf_counter()
    for i in range(args.count):
        top, bottom = texts[i % len(texts)]
        png = render(top, bottom, args.size, art(i), options)
        total += len(png)
        if i == 0 and args.sample:
            with open(args.sample, "wb") as fh:
                fh.write(png)
    seconds = time.perf_counter() - start
    print(json.dumps({"renders": args.count, "seconds": seconds, "cpu_seconds": time.thread_time() - cpu,
                      "bytes": total / args.count}))


if __name__ == "__main__":
    main()

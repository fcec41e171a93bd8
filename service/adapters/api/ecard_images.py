"""The e-card's pictures: a QR code (segno) and a Code 128 barcode (python-barcode), as SVG."""

from __future__ import annotations

import io
import re

import segno
from barcode import Code128
from barcode.writer import SVGWriter


def qr_svg(code: str) -> str:
    """The code as a QR symbol (error correction M), dark on white, scalable SVG."""
    out = io.BytesIO()
    segno.make_qr(code, error="m").save(out, kind="svg", scale=4, border=4, xmldecl=False,
                                        svgns=True, title=None, dark="#000", light="#fff")
    return out.getvalue().decode()


def code128_svg(code: str) -> str:
    """The code as a Code 128 barcode without the human-readable line (the page prints it)."""
    out = io.BytesIO()
    Code128(code, writer=SVGWriter()).write(out, options={
        "module_width": 0.25, "module_height": 12.0, "quiet_zone": 2.5, "write_text": False,
        "background": "white", "foreground": "black"})
    svg = out.getvalue().decode()
    svg = svg[svg.index("<svg"):]
    # The writer sizes in millimetres without a viewBox; drop the units and add one, so the
    # picture scales to the width of the phone's screen.
    size = re.search(r'width="([0-9.]+)mm" height="([0-9.]+)mm"', svg)
    assert size is not None
    svg = svg.replace(size.group(0), f'viewBox="0 0 {size.group(1)} {size.group(2)}" '
                                     'preserveAspectRatio="none"', 1)
    return re.sub(r'="([0-9.]+)mm"', r'="\1"', svg)

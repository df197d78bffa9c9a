"""Write the corpus's PDF files (run once; the PDFs are committed): python tests/meta/make_pdfs.py

Each is built byte by byte, so that what the test reads is exactly what a publisher's tool would
leave: an information dictionary, an XMP packet, or neither, and a first page whose text has
real font sizes (the cover's heading larger than the body).
"""

from __future__ import annotations

import zlib
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"


def _text_stream(lines: list[tuple[float, str]]) -> bytes:
    """A content stream drawing each (font size, text) line, top to bottom."""
    ops, y = [], 780.0
    for size, text in lines:
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"BT /F1 {size:g} Tf 56 {y:g} Td ({escaped}) Tj ET")
        y -= size * 1.6
    return "\n".join(ops).encode("latin-1")


def pdf(
    lines: list[tuple[float, str]],
    info: dict[str, str] | None = None,
    xmp: str | None = None,
    compress: bool = False,
) -> bytes:
    """A one-page PDF with Helvetica text, an optional /Info dictionary and XMP packet."""
    content = _text_stream(lines)
    stream_dict = f"<< /Length {len(content)} >>"
    if compress:
        content = zlib.compress(content)
        stream_dict = f"<< /Length {len(content)} /Filter /FlateDecode >>"
    catalog = "<< /Type /Catalog /Pages 2 0 R" + (" /Metadata 6 0 R" if xmp else "") + " >>"
    objects: list[bytes] = [
        catalog.encode(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        stream_dict.encode() + b"\nstream\n" + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    if xmp:
        packet = xmp.encode()
        objects.append(
            f"<< /Type /Metadata /Subtype /XML /Length {len(packet)} >>".encode()
            + b"\nstream\n"
            + packet
            + b"\nendstream"
        )
    if info:
        entries = " ".join(f"/{key} ({value})" for key, value in info.items())
        objects.append(f"<< {entries} >>".encode("latin-1"))
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    trailer = f"<< /Size {len(objects) + 1} /Root 1 0 R"
    if info:
        trailer += f" /Info {len(objects)} 0 R"
    out += f"trailer\n{trailer} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


XMP = """<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreateDate="2023-05-05T23:10:00-04:00"
  xmp:ModifyDate="2024-01-09T10:00:00Z">
<dc:title><rdf:Alt>
<rdf:li xml:lang="x-default">Breaking their roots: boarding schools in Tibet</rdf:li>
</rdf:Alt></dc:title>
</rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>"""

BODY = [
    (10, "The authorities continue to detain human rights defenders and their relatives."),
    (10, "This briefing sets out recommendations to the European Union and its member states."),
]


def main() -> None:
    files = {
        "pdf-info.pdf": pdf(
            [(24, "Joint NGO letter ahead of EU-China Summit"), *BODY],
            info={
                "Title": "Joint NGO letter ahead of EU-China Summit",
                "CreationDate": "D:20250717091500+02'00'",
                "ModDate": "D:20250801120000+02'00'",
                "Producer": "LibreOffice 7.6",
            },
            compress=True,
        ),
        "pdf-junk-title.pdf": pdf(
            [
                (9, "Briefing paper"),
                (22, "Forced labour in the Uyghur Region"),
                (14, "What the EU must do"),
                *BODY,
            ],
            info={"Title": "Microsoft Word - draft3.docx", "CreationDate": "D:20240613"},
        ),
        "pdf-xmp.pdf": pdf([(20, "Breaking their roots"), *BODY], xmp=XMP),
        "pdf-textonly.pdf": pdf(
            [(26, "Arbitrary detention in China"), (12, "Geneva, 12 June 2023"), *BODY]
        ),
    }
    for name, data in files.items():
        (CORPUS / name).write_bytes(data)


if __name__ == "__main__":
    main()

"""python-pptx internals, used only to regenerate the deck template (``pptx_template.zip``,
by ``writers.pptx.template_package`` and a test); checked against python-pptx 1.0.2.

The deck writer itself writes the package XML and never calls python-pptx; this is how
the template it starts from is kept equal to what python-pptx would write.
"""

from __future__ import annotations

from typing import Any


def empty_package(notes_mark: str) -> tuple[list[tuple[str, bytes]], bytes]:
    """The parts of an empty presentation whose notes master is listed in the
    presentation part (Keynote needs that), and the XML of a notes slide made from that
    master whose body holds one marker paragraph, ``notes_mark``.

    Private: ``Part._element`` (the part's XML), ``OpcPackage._rels`` and the
    ``PackageWriter`` methods that write each member, used so nothing touches a file.
    """
    # Imported here: writing a deck never needs python-pptx (test_imports holds to it).
    from pptx import Presentation
    from pptx.opc.constants import CONTENT_TYPE as CT
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT
    from pptx.opc.oxml import serialize_part_xml
    from pptx.opc.packuri import PackURI
    from pptx.opc.serialized import PackageWriter
    from pptx.oxml import parse_xml
    from pptx.oxml.ns import nsdecls, qn
    from pptx.oxml.slide import CT_NotesSlide
    from pptx.parts.slide import NotesSlidePart

    prs = Presentation()
    master = prs.part.notes_master_part
    rid = prs.part.relate_to(master, RT.NOTES_MASTER)
    lst = parse_xml(
        f'<p:notesMasterIdLst {nsdecls("p", "r")}><p:notesMasterId r:id="{rid}"/>'
        "</p:notesMasterIdLst>"
    )
    prs.part._element.find(qn("p:sldMasterIdLst")).addnext(lst)
    # A detached part, never saved: python-pptx clones the master's placeholders into it.
    part = NotesSlidePart(
        PackURI("/ppt/notesSlides/template.xml"), CT.PML_NOTES_SLIDE, prs.part.package,
        CT_NotesSlide.new(),
    )  # fmt: skip
    part.notes_slide.clone_master_placeholders(master.notes_master)
    for sp in part._element.iter(qn("p:sp")):
        ph = sp.find(f"{qn('p:nvSpPr')}/{qn('p:nvPr')}/{qn('p:ph')}")
        body = sp.find(qn("p:txBody"))
        if ph is not None and ph.get("type") == "body" and body is not None:
            for p in body.findall(qn("a:p")):
                body.remove(p)
            body.append(parse_xml(notes_mark))
            break
    members: list[tuple[str, bytes]] = []

    class _Collect:
        def write(self, pack_uri: Any, blob: bytes) -> None:
            members.append((pack_uri.membername, blob))

    package = prs.part.package
    writer = PackageWriter("", package._rels, tuple(package.iter_parts()))
    writer._write_content_types_stream(_Collect())  # type: ignore[arg-type]
    writer._write_pkg_rels(_Collect())  # type: ignore[arg-type]
    writer._write_parts(_Collect())  # type: ignore[arg-type]
    return members, serialize_part_xml(part._element)

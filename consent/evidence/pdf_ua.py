"""Finish a rendered record as PDF/UA-1 and PDF/A-3b where WeasyPrint leaves it short.

Runs in the seal's own revision, just before the seal, so the record gains no revision.
"""
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.metadata import model
from pyhanko.pdf_utils.metadata.xmp_xml import MetadataStream
from weasyprint import __version__ as weasyprint_version

from ..kernel.software import VERSION

CREATOR = f"consent {VERSION} with WeasyPrint {weasyprint_version}"
# PDF/A admits XMP properties outside its own list only with a schema that declares them.
PDF_UA_PROPERTIES = f"""<rdf:Description rdf:about=""
  xmlns:pdfuaid="{model.NS['pdfuaid']}" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
  pdfuaid:part="1" xmp:CreatorTool="{CREATOR}"/>
<rdf:Description rdf:about="" xmlns:pdfaExtension="{model.NS['pdfaExtension']}"
  xmlns:pdfaSchema="{model.NS['pdfaSchema']}" xmlns:pdfaProperty="{model.NS['pdfaProperty']}">
 <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
  <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
  <pdfaSchema:namespaceURI>{model.NS['pdfuaid']}</pdfaSchema:namespaceURI>
  <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
  <pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
   <pdfaProperty:name>part</pdfaProperty:name>
   <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
   <pdfaProperty:category>internal</pdfaProperty:category>
   <pdfaProperty:description>Indicates which version of PDF/UA the file follows</pdfaProperty:description>
  </rdf:li></rdf:Seq></pdfaSchema:property>
 </rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
</rdf:RDF>"""


def finish(writer):
    """Declare PDF/UA-1, list each attachment once, give table headers their scope."""
    root = writer.root
    declare(writer, root)
    attachments_once(writer, root)
    if "/StructTreeRoot" in root:
        for header, scope in table_headers(root["/StructTreeRoot"]):
            attributes = header.setdefault(pdf_name("/A"), generic.DictionaryObject())
            attributes[pdf_name("/Scope")] = pdf_name(scope)
            writer.update_container(header)


def declare(writer, root):
    """Claim PDF/UA-1 in the XMP beside PDF/A-3b; name one producer in Info and XMP."""
    xmp = root["/Metadata"].data.replace(b"</rdf:RDF>", PDF_UA_PROPERTIES.encode(), 1)
    root[pdf_name("/Metadata")] = writer.add_object(MetadataStream(stream_data=xmp))
    writer.update_root()
    # The seal's software writes the XMP producer as itself and keeps an Info producer
    # that already names it: so both say the same (the renderer is the creator tool).
    info = writer.trailer_view["/Info"]
    info[pdf_name("/Producer")] = generic.TextStringObject(model.VENDOR)
    info[pdf_name("/Creator")] = generic.TextStringObject(CREATOR)
    writer.update_container(info)


def attachments_once(writer, root):
    """Drop the repeats WeasyPrint writes into the catalog's associated files."""
    seen, kept = set(), generic.ArrayObject()
    for entry in root.get("/AF", ()):
        key = entry.reference if isinstance(entry, generic.IndirectObject) else id(entry)
        if key not in seen:
            seen.add(key)
            kept.append(entry)
    if "/AF" in root:
        root[pdf_name("/AF")] = kept
        writer.update_root()


def table_headers(node, in_head=False):
    """Yield each TH element with its scope: Column in a table head, else Row."""
    kids = node.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, generic.ArrayObject) else (kids,):
        element = kid.get_object()
        if not isinstance(element, generic.DictionaryObject) or "/S" not in element:
            continue  # marked content or an annotation's reference
        kind = element["/S"]
        if kind == "/TH":
            yield element, "/Column" if in_head else "/Row"
        yield from table_headers(element, in_head or kind == "/THead")

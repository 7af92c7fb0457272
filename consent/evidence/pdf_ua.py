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
    """Declare PDF/UA-1, list each attachment once, finish table headers and list items."""
    root = writer.root
    declare(writer, root)
    attachments_once(writer, root)
    if "/StructTreeRoot" in root:
        for reference, element, in_head in elements(root["/StructTreeRoot"]):
            if element["/S"] == "/TH":
                attributes = element.setdefault(pdf_name("/A"), generic.DictionaryObject())
                attributes[pdf_name("/Scope")] = pdf_name("/Column" if in_head else "/Row")
                writer.update_container(element)
            elif element["/S"] == "/LI":
                item_body(writer, reference, element)


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


def elements(node, in_head=False):
    """Yield (reference, element, inside a table head) for each structure element below."""
    kids = node.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, generic.ArrayObject) else (kids,):
        element = kid.get_object()
        if not isinstance(element, generic.DictionaryObject) or "/S" not in element:
            continue  # marked content or an annotation's reference
        yield kid, element, in_head
        yield from elements(element, in_head or element["/S"] == "/THead")


def item_body(writer, reference, item):
    """Put what follows a list item's bullet into the LBody PDF/UA asks for.

    WeasyPrint makes one only for bullets outside the line; ours sit inside it, so that
    the page paints in the order a reader reads.
    """
    kids = item["/K"] if isinstance(item["/K"], generic.ArrayObject) else [item.raw_get("/K")]
    labels = [k for k in kids if isinstance(k, generic.IndirectObject)
              and k.get_object().get("/S") == "/Lbl"]
    body = [k for k in kids if k not in labels]
    if not body or not all(isinstance(k, generic.IndirectObject) for k in body) or any(
            k.get_object().get("/S") == "/LBody" for k in body):
        return
    lbody = writer.add_object(generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/StructElem"), pdf_name("/S"): pdf_name("/LBody"),
        pdf_name("/P"): reference, pdf_name("/K"): generic.ArrayObject(body)}))
    for kid in body:
        kid.get_object()[pdf_name("/P")] = lbody
        writer.update_container(kid.get_object())
    item[pdf_name("/K")] = generic.ArrayObject([*labels, lbody])
    writer.update_container(item)

"""Finish a rendered record as PDF/UA-1 and PDF/A-3b where WeasyPrint leaves it short.

A WeasyPrint finisher: it edits the PDF's objects in memory, before they are written.
"""
import pydyf
from pyhanko.pdf_utils.metadata import model
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


def finish(document, pdf):
    """Declare PDF/UA-1, list each attachment once, finish footers, table headers and lists."""
    declare(pdf)
    if "AF" in pdf.catalog:
        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(pdf.catalog["AF"]))
    if "StructTreeRoot" in pdf.catalog:
        footers_as_artifacts(pdf)
        for element, in_head in elements(pdf, target(pdf, pdf.catalog["StructTreeRoot"])):
            if element["S"] == "/TH":
                element.setdefault("A", pydyf.Dictionary({"O": "/Table"}))
                element["A"]["Scope"] = "/Column" if in_head else "/Row"
            elif element["S"] == "/LI":
                item_body(pdf, element)


def target(pdf, reference):
    """Return the object a reference names (b"12 0 R"), or a direct object as it is."""
    if isinstance(reference, bytes):
        return pdf.objects[int(reference.split()[0])]
    return reference


def declare(pdf):
    """Claim PDF/UA-1 in the XMP beside PDF/A-3b; name one producer in Info and XMP."""
    metadata = target(pdf, pdf.catalog["Metadata"])
    xmp = b"".join(part if isinstance(part, bytes) else str(part).encode()
                   for part in metadata.stream)
    metadata.stream = [xmp.replace(b"</rdf:RDF>", PDF_UA_PROPERTIES.encode(), 1)]
    # The seal's software writes the XMP producer as itself and keeps an Info producer
    # that already names it: so both say the same (the renderer is the creator tool).
    pdf.info["Producer"] = pydyf.String(model.VENDOR)
    pdf.info["Creator"] = pydyf.String(CREATOR)


def elements(pdf, node, in_head=False):
    """Yield (element, inside a table head) for each structure element below a node."""
    kids = node.get("K")
    for kid in kids if isinstance(kids, list) else [kids]:
        element = target(pdf, kid)
        if isinstance(element, dict) and "S" in element:
            yield element, in_head
            yield from elements(pdf, element, in_head or element["S"] == "/THead")


def footers_as_artifacts(pdf):
    """Mark the text of the page footers as pagination artifacts (ISO 14289-1, 7.8)."""
    # WeasyPrint marks a margin box's text as content but leaves its elements out of the
    # tree (artifacts in the tree need PDF 2.0): a reader would meet the document id and
    # "Page 1 of 6" on every page as text no element holds. They become artifacts here.
    root = target(pdf, pdf.catalog["StructTreeRoot"])
    in_tree = {id(element) for element, _ in elements(pdf, root)}
    nums = target(pdf, root["ParentTree"])["Nums"]
    for number, page in enumerate(pdf.pages["Kids"][::3]):  # pydyf: number, 0, "R"
        parents = target(pdf, nums[2 * number + 1])
        footer = {mcid for mcid, parent in enumerate(parents)
                  if id(target(pdf, parent)) not in in_tree}
        content = target(pdf, pdf.objects[page]["Contents"]).stream
        for at, operand in enumerate(content):
            if isinstance(operand, dict) and operand.get("MCID") in footer:
                content[at - 1] = "/Artifact"
                content[at] = pydyf.Dictionary({"Type": "/Pagination", "Subtype": "/Footer"})
        for mcid in footer:
            parents[mcid] = "null"  # no element holds it any more


def item_body(pdf, item):
    """Put what follows a list item's bullet into the LBody PDF/UA asks for.

    WeasyPrint makes one only for bullets outside the line; ours sit inside it, so that
    the page paints in the order a reader reads.
    """
    kids = item["K"] if isinstance(item["K"], list) else [item["K"]]
    labels = [k for k in kids if isinstance(k, bytes) and target(pdf, k).get("S") == "/Lbl"]
    body = [k for k in kids if k not in labels]
    if not body or not all(isinstance(k, bytes) for k in body) or any(
            target(pdf, k).get("S") == "/LBody" for k in body):
        return
    lbody = pydyf.Dictionary({"Type": "/StructElem", "S": "/LBody", "P": item.reference,
                              "K": pydyf.Array(body)})
    pdf.add_object(lbody)
    for kid in body:
        target(pdf, kid)["P"] = lbody.reference
    item["K"] = pydyf.Array([*labels, lbody.reference])

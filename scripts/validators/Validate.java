// Offline UBL validator: XSD (javax.xml.validation) + schematron-compiled XSLTs (Saxon-HE) -> SVRL.
//
// Run as a single-file source program (Java 11+), with Saxon-HE on the classpath:
//   java -cp "$VALIDATOR_CLASSPATH" scripts/validators/Validate.java INVOICE.xml UBL.xsd [RULES.xslt ...]
// Pass "" (or "-") as the XSD to skip XSD validation.
//
// Prints one JSON object to stdout:
//   {"xsd": ["line:col message", ...],
//    "schematron": [{"xslt": "...", "failed": [{"id","flag","location","test","text"}], "warnings": [...]}]}
// "failed" holds the failed asserts / successful reports with flag="fatal" (or "error", or no flag);
// every other flag ("warning", "information", ...) goes to "warnings".
// Exit code is 0 whatever the validation outcome; non-zero only if the program itself breaks
// (unreadable input, a stylesheet that does not compile, ...).

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;
import net.sf.saxon.s9api.DocumentBuilder;
import net.sf.saxon.s9api.Processor;
import net.sf.saxon.s9api.XPathCompiler;
import net.sf.saxon.s9api.XPathSelector;
import net.sf.saxon.s9api.XdmDestination;
import net.sf.saxon.s9api.XdmItem;
import net.sf.saxon.s9api.XdmNode;
import net.sf.saxon.s9api.XsltCompiler;
import net.sf.saxon.s9api.XsltExecutable;
import net.sf.saxon.s9api.XsltTransformer;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXParseException;

public class Validate {
  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: java -cp SAXON_CLASSPATH Validate.java FILE.xml (XSD|-) [RULES.xslt ...]");
      System.exit(2);
    }
    File xml = new File(args[0]);
    if (!xml.isFile()) {
      System.err.println("not a file: " + xml);
      System.exit(2);
    }
    StringBuilder out = new StringBuilder();
    out.append("{\"xsd\":[");
    List<String> xsdErrors = args[1].isEmpty() || args[1].equals("-") ? List.of() : validateXsd(xml, new File(args[1]));
    for (int i = 0; i < xsdErrors.size(); i++) {
      if (i > 0) out.append(',');
      out.append(json(xsdErrors.get(i)));
    }

    Processor proc = new Processor(false);
    XsltCompiler compiler = proc.newXsltCompiler();
    DocumentBuilder builder = proc.newDocumentBuilder();
    XdmNode doc;
    try {
      doc = builder.build(xml);
    } catch (net.sf.saxon.s9api.SaxonApiException e) {
      // Not well-formed: the XSD step (if any) already reported it; report it here too and stop.
      if (xsdErrors.isEmpty()) out.append(json("not well-formed: " + e.getMessage()));
      out.append("],\"schematron\":[]}");
      System.out.println(out);
      return;
    }
    out.append("],\"schematron\":[");
    XPathCompiler xpc = proc.newXPathCompiler();
    xpc.declareNamespace("svrl", "http://purl.oclc.org/dsdl/svrl");
    XPathSelector findMessages = xpc.compile("//svrl:failed-assert | //svrl:successful-report").load();
    XPathCompiler xpcNode = proc.newXPathCompiler();
    xpcNode.declareNamespace("svrl", "http://purl.oclc.org/dsdl/svrl");
    XPathSelector textOf = xpcNode.compile("normalize-space(string-join(svrl:text, ' '))").load();

    for (int s = 2; s < args.length; s++) {
      if (s > 2) out.append(',');
      XsltExecutable exe = compiler.compile(new StreamSource(new File(args[s])));
      XsltTransformer t = exe.load();
      t.setInitialContextNode(doc);
      XdmDestination dest = new XdmDestination();
      t.setDestination(dest);
      t.transform();
      XdmNode svrl = dest.getXdmNode();

      List<String> failed = new ArrayList<>();
      List<String> warnings = new ArrayList<>();
      findMessages.setContextItem(svrl);
      for (XdmItem item : findMessages) {
        XdmNode n = (XdmNode) item;
        String flag = attr(n, "flag");
        textOf.setContextItem(n);
        String text = textOf.evaluateSingle().getStringValue();
        String id = attr(n, "id");
        if (id.isEmpty()) {
          // Some rule sets (SI-UBL) leave @id off a few asserts but start the text with "[RULE-ID]".
          java.util.regex.Matcher m = java.util.regex.Pattern.compile("^\\[([^\\]]+)\\]").matcher(text);
          if (m.find()) id = m.group(1);
        }
        String entry = "{\"id\":" + json(id) + ",\"flag\":" + json(flag.isEmpty() ? "fatal" : flag)
            + ",\"location\":" + json(attr(n, "location")) + ",\"test\":" + json(attr(n, "test"))
            + ",\"text\":" + json(text) + "}";
        if (flag.isEmpty() || flag.equalsIgnoreCase("fatal") || flag.equalsIgnoreCase("error")) {
          failed.add(entry);
        } else {
          warnings.add(entry);
        }
      }
      out.append("{\"xslt\":").append(json(args[s])).append(",\"failed\":[")
          .append(String.join(",", failed)).append("],\"warnings\":[")
          .append(String.join(",", warnings)).append("]}");
    }
    out.append("]}");
    System.out.println(out);
  }

  static String attr(XdmNode n, String name) {
    String v = n.getAttributeValue(new net.sf.saxon.s9api.QName(name));
    return v == null ? "" : v;
  }

  static List<String> validateXsd(File xml, File xsd) throws Exception {
    List<String> errors = new ArrayList<>();
    SchemaFactory sf = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
    Schema schema = sf.newSchema(xsd);
    Validator v = schema.newValidator();
    v.setErrorHandler(new ErrorHandler() {
      public void warning(SAXParseException e) {}

      public void error(SAXParseException e) {
        errors.add(e.getLineNumber() + ":" + e.getColumnNumber() + " " + e.getMessage());
      }

      public void fatalError(SAXParseException e) {
        errors.add(e.getLineNumber() + ":" + e.getColumnNumber() + " " + e.getMessage());
      }
    });
    try {
      v.validate(new StreamSource(xml));
    } catch (SAXParseException e) {
      // Already reported through fatalError (not well-formed XML).
    }
    return errors;
  }

  static String json(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"': b.append("\\\""); break;
        case '\\': b.append("\\\\"); break;
        case '\n': b.append("\\n"); break;
        case '\r': b.append("\\r"); break;
        case '\t': b.append("\\t"); break;
        default:
          if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
          else b.append(c);
      }
    }
    return b.append('"').toString();
  }
}

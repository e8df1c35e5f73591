package io.edgeport.broker.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;

import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeProvider;
import org.osgi.service.metatype.ObjectClassDefinition;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The broker's form in the web console (Metatype of PID {@value BrokerConfig#PID}): the attributes bnd generated from
 * {@link BrokerConfig}, each shown with its <em>running</em> value as the field's value and its source (console,
 * command line, default) in its description. With the stock metatype the form showed the annotation's defaults, and
 * saving it replaced what the command line had set.
 */
final class BrokerForm implements MetaTypeProvider {

    /** Where bnd writes the OCD of {@link BrokerConfig} (no Designate: this provider is the form). */
    static final String RESOURCE = "OSGI-INF/metatype/" + BrokerConfig.class.getName() + ".xml";

    private final String name;
    private final String description;
    private final List<Attr> attributes;
    private final Supplier<Map<String, ?>> props;
    private final Function<String, String> frameworkProperty;
    private final Function<String, String> fileWhere;

    private record Attr(String id, String name, String description, int type, String[] optionValues,
            String[] optionLabels) {
    }

    /**
     * @param xml the generated metatype document of {@link BrokerConfig}
     * @param props the configuration now (empty when there is none)
     */
    BrokerForm(URL xml, Supplier<Map<String, ?>> props, Function<String, String> frameworkProperty)
            throws IOException {
        this(xml, props, frameworkProperty, k -> null);
    }

    /** @param fileWhere {@code file:line} of a key the mosquitto.conf sets, or null */
    BrokerForm(URL xml, Supplier<Map<String, ?>> props, Function<String, String> frameworkProperty,
               Function<String, String> fileWhere)
            throws IOException {
        this.props = props;
        this.frameworkProperty = frameworkProperty;
        this.fileWhere = fileWhere;
        Element ocd;
        try (InputStream in = xml.openStream()) {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setExpandEntityReferences(false);
            ocd = (Element) f.newDocumentBuilder().parse(in).getElementsByTagName("OCD").item(0);
        } catch (javax.xml.parsers.ParserConfigurationException | org.xml.sax.SAXException e) {
            throw new IOException("cannot read " + xml + ": " + e.getMessage(), e);
        }
        if (ocd == null) {
            throw new IOException("no OCD in " + xml);
        }
        this.name = ocd.getAttribute("name");
        this.description = ocd.getAttribute("description");
        List<Attr> attrs = new ArrayList<>();
        NodeList ads = ocd.getElementsByTagName("AD");
        for (int i = 0; i < ads.getLength(); i++) {
            Element ad = (Element) ads.item(i);
            NodeList options = ad.getElementsByTagName("Option");
            String[] values = options.getLength() == 0 ? null : new String[options.getLength()];
            String[] labels = options.getLength() == 0 ? null : new String[options.getLength()];
            for (int o = 0; o < options.getLength(); o++) {
                values[o] = ((Element) options.item(o)).getAttribute("value");
                labels[o] = ((Element) options.item(o)).getAttribute("label");
            }
            attrs.add(new Attr(ad.getAttribute("id"), ad.getAttribute("name"), ad.getAttribute("description"),
                    type(ad.getAttribute("type")), values, labels));
        }
        this.attributes = List.copyOf(attrs);
    }

    private static int type(String t) {
        return switch (t) {
            case "Integer" -> AttributeDefinition.INTEGER;
            case "Long" -> AttributeDefinition.LONG;
            case "Boolean" -> AttributeDefinition.BOOLEAN;
            case "Double" -> AttributeDefinition.DOUBLE;
            case "Password" -> AttributeDefinition.PASSWORD;
            default -> AttributeDefinition.STRING;
        };
    }

    @Override
    public ObjectClassDefinition getObjectClassDefinition(String id, String locale) {
        return BrokerConfig.PID.equals(id) ? new Ocd() : null;
    }

    @Override
    public String[] getLocales() {
        return null;
    }

    private final class Ocd implements ObjectClassDefinition {
        @Override
        public String getName() {
            return name;
        }

        @Override
        public String getID() {
            return BrokerConfig.PID;
        }

        @Override
        public String getDescription() {
            return description + " Each field shows the value the broker runs with and where it comes from. Values"
                    + " given on the command line (-Dedgeport.broker.<key>) apply until you change them here; the"
                    + " configuration keeps only what differs from the command line or the default.";
        }

        @Override
        public AttributeDefinition[] getAttributeDefinitions(int filter) {
            if (filter == OPTIONAL) {
                return null;
            }
            Map<String, ?> now = props.get();
            return attributes.stream().map(a -> new Ad(a, now)).toArray(AttributeDefinition[]::new);
        }

        @Override
        public InputStream getIcon(int size) {
            return null;
        }
    }

    private final class Ad implements AttributeDefinition {
        private final Attr a;
        private final String value;
        private final ConfigSources.Source source;

        Ad(Attr a, Map<String, ?> now) {
            this.a = a;
            boolean known = ConfigSources.KEYS.containsKey(a.id());
            this.value = known ? ConfigSources.running(a.id(), now, frameworkProperty) : null;
            this.source = known ? ConfigSources.source(a.id(), now, frameworkProperty, fileWhere)
                    : ConfigSources.Source.DEFAULT;
        }

        @Override
        public String getName() {
            return a.name();
        }

        @Override
        public String getID() {
            return a.id();
        }

        @Override
        public String getDescription() {
            if (value == null) {
                return a.description();
            }
            String cli = frameworkProperty.apply(ConfigValues.PREFIX + a.id());
            String where = switch (source) {
                case CONSOLE -> cli == null ? "set in the console"
                        : "set in the console, over the command line's " + ConfigValues.PREFIX + a.id() + "=" + cli;
                case COMMAND_LINE -> "from the command line, -D" + ConfigValues.PREFIX + a.id();
                case FILE -> "from " + fileWhere.apply(a.id()) + " (the file wins over the console: edit it there)";
                case DEFAULT -> "default";
            };
            return a.description() + " [Running: " + (value.isEmpty() ? "(empty)" : value) + " - " + where + "]";
        }

        @Override
        public int getCardinality() {
            return 0;
        }

        @Override
        public int getType() {
            return a.type();
        }

        @Override
        public String[] getOptionValues() {
            return a.optionValues();
        }

        @Override
        public String[] getOptionLabels() {
            return a.optionLabels();
        }

        @Override
        public String validate(String v) {
            return null;
        }

        @Override
        public String[] getDefaultValue() {
            return value == null ? null : new String[] { value };
        }
    }
}

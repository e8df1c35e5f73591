package io.edgeport.console.internal;

import org.apache.felix.webconsole.spi.BrandingPlugin;
import org.osgi.service.component.annotations.Component;

/**
 * Edgeport's name and logo on every console page (the Web Console's branding service; its logo and icon are served by
 * the Dashboard page from this bundle).
 */
@Component(service = BrandingPlugin.class)
public final class Branding implements BrandingPlugin {

    static final String LOGO = "/" + DashboardPage.LABEL + "/res/edgeport-logo.svg";

    @Override
    public String getBrandName() {
        return "Edgeport";
    }

    @Override
    public String getProductName() {
        return "Edgeport IoT gateway";
    }

    @Override
    public String getProductURL() {
        return "dashboard";
    }

    @Override
    public String getProductImage() {
        return LOGO;
    }

    @Override
    public String getVendorName() {
        return "Edgeport";
    }

    @Override
    public String getVendorURL() {
        return "dashboard";
    }

    @Override
    public String getVendorImage() {
        return LOGO;
    }

    @Override
    public String getFavIcon() {
        return "/" + DashboardPage.LABEL + "/res/edgeport-icon.svg";
    }

    @Override
    public String getMainStyleSheet() {
        return "/res/ui/webconsole.css";
    }
}

# nixos/desktop: niri, greetd, PIM backends, Nautilus/GVFS, applications.
{ axios, pkgs, evalNixos, isSet, hasPackage, ... }:
let
  d = cfg: evalNixos [ axios.nixosModules.desktop { desktop.enable = true; } cfg ];
  full = d { };
  c = full.config;
in
{
  testCompositorAndPortals = {
    expr = {
      niri = c.programs.niri.enable;
      portals = map (p: p.pname) c.xdg.portal.extraPortals;
      portalDefault = c.xdg.portal.config.niri.default;
      ozone = c.environment.sessionVariables.NIXOS_OZONE_WL;
      pipewire = c.services.pipewire.pulse.enable;
    };
    expected = { niri = true; portals = [ "xdg-desktop-portal-gnome" "xdg-desktop-portal-gtk" ]; portalDefault = [ "gnome" "gtk" ]; ozone = "1"; pipewire = true; };
  };
  testGreetdCommandShape = {
    expr = builtins.match "/nix/store/[a-z0-9]{32}-tuigreet/bin/tuigreet --time --remember --remember-session --cmd niri-session" c.services.greetd.settings.default_session.command != null;
    expected = true;
  };
  testGreetdVtQuiet = {
    expr = { inherit (c.systemd.services.greetd.serviceConfig) Type StandardError TTYVTDisallocate; params = c.boot.kernelParams; };
    expected = { Type = "idle"; StandardError = "journal"; TTYVTDisallocate = true; params = [ ]; };
  };
  testPimBackends = {
    expr = {
      accounts = c.services.accounts-daemon.enable;
      keyring = c.services.gnome.gnome-keyring.enable;
      eds = c.services.gnome.evolution-data-server.enable;
      goa = c.services.gnome.gnome-online-accounts.enable;
      geoclue = c.services.geoclue2.enable;
      evolution = c.programs.evolution.enable;
      pamLogin = c.security.pam.services.login.enableGnomeKeyring;
      pamGreetd = c.security.pam.services.greetd.enableGnomeKeyring;
      apps = map (n: hasPackage n c.environment.systemPackages) [ "gnome-online-accounts-gtk" "gnome-calendar" "gnome-contacts" ];
    };
    expected = { accounts = true; keyring = true; eds = true; goa = true; geoclue = true; evolution = true; pamLogin = true; pamGreetd = true; apps = [ true true true ]; };
  };
  testNautilusGvfs = {
    expr = [ c.services.gvfs.enable c.services.udisks2.enable (hasPackage "nautilus" c.environment.systemPackages) ];
    expected = [ true true true ];
  };
  testApplicationsAndLocalSend = {
    expr = { office = hasPackage "libreoffice-fresh" c.environment.systemPackages; tcp = c.networking.firewall.allowedTCPPorts; };
    expected = { office = true; tcp = [ 53317 ]; };
  };
  testFonts = {
    expr = map (p: p.pname) c.fonts.packages;
    expected = [ "inter" "noto-fonts" "noto-fonts-color-emoji" "nerd-fonts-jetbrains-mono" "nerd-fonts-fira-code" "material-symbols" ];
  };
  testPimOff = {
    expr = let e = d { desktop.pim.enable = false; }; in [ (isSet e "services.geoclue2.enable") (hasPackage "gnome-calendar" e.config.environment.systemPackages) ];
    expected = [ false false ];
  };
  testGreeterOff = {
    expr = let e = d { desktop.greeter.enable = false; }; in [ (isSet e "services.greetd.enable") (e.config.security.pam.services ? greetd) ];
    expected = [ false false ];
  };
  testApplicationsOffExtraPackages = {
    expr = let o = (d { desktop.applications.enable = false; desktop.extraPackages = [ pkgs.gimp ]; }).config; in
      map (n: hasPackage n o.environment.systemPackages) [ "libreoffice-fresh" "gimp" ];
    expected = [ false true ];
  };
  testDisabled = {
    expr = (evalNixos [ axios.nixosModules.desktop ]).config.environment.systemPackages;
    expected = [ ];
  };
}

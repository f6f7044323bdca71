# userModulePath in the original axiOS's shape: plain users.users and
# home-manager.users, written by hand.
{ ... }:
let
  name = "carol";
  home = "/home/${name}";
in
{
  users.users.${name} = {
    isNormalUser = true;
    description = "Carol Example";
    initialPassword = "changeme";
    extraGroups = [ "networkmanager" "wheel" "video" "audio" "input" ];
  };
  home-manager.users.${name} = {
    home = {
      stateVersion = "24.05";
      homeDirectory = home;
      username = name;
    };
    programs.git.settings.user = {
      name = "Carol Example";
      email = "carol@example.org";
    };
  };
  nix.settings.trusted-users = [ name ];
}

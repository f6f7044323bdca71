# nixos/users.nix: axios.users.users -> users.users with module groups.
{ lib, axios, evalNixos, isSet, ... }:
let
  u = cfg: evalNixos [ axios.nixosModules.users { axios.users.enable = true; } cfg ];
  two = u {
    axios.users.users.alice = { fullName = "Alice L"; isAdmin = true; extraGroups = [ "dialout" ]; };
    axios.users.users.bob = { shell = "bash"; };
    axios.users.defaultGroups = [ "libvirtd" ];
  };
in
{
  testUsers = {
    expr = {
      alice = { inherit (two.config.users.users.alice) isNormalUser description extraGroups; shell = two.config.users.users.alice.shell.pname; };
      bob = { inherit (two.config.users.users.bob) description extraGroups; shell = two.config.users.users.bob.shell.pname; };
      fish = two.config.programs.fish.enable;
      zsh = isSet two "programs.zsh.enable";
    };
    expected = {
      alice = { isNormalUser = true; description = "Alice L"; extraGroups = [ "libvirtd" "video" "audio" "input" "dialout" "wheel" ]; shell = "fish"; };
      bob = { description = "bob"; extraGroups = [ "libvirtd" "video" "audio" "input" ]; shell = "bashInteractive"; };
      fish = true;
      zsh = false;
    };
  };
  testGroupsFromOtherModules = {
    expr = lib.sort lib.lessThan
      (evalNixos [
        axios.nixosModules.users
        axios.nixosModules.virt
        axios.nixosModules.networking
        { axios.users.enable = true; axios.users.users.carol = { }; virt.libvirt.enable = true; axios.networking.enable = true; }
      ]).config.users.users.carol.extraGroups;
    # (order across modules is the module system's)
    expected = lib.sort lib.lessThan [ "libvirtd" "kvm" "networkmanager" "video" "audio" "input" ];
  };
  testBadLoginName = {
    expr = (u { axios.users.users."Alice Smith" = { }; }).failedAssertions;
    expected = [ "axios.users.users.\"Alice Smith\": a login name must start with a lowercase letter or _ and hold only lowercase letters, digits, _ and - (at most 32 characters)." ];
  };
  testPasswordFile = {
    expr = (u { axios.users.users.d.hashedPasswordFile = "/run/agenix/d"; }).config.users.users.d.hashedPasswordFile;
    expected = "/run/agenix/d";
  };
  testBadShell = {
    expr = (u { axios.users.users.e.shell = "tcsh"; }).config.users.users.e.shell;
    expectedError = "axios.users.users.e.shell' is not of type `one of \"fish\", \"bash\", \"zsh\"'";
  };
}

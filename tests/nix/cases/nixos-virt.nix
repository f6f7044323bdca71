# nixos/virtualisation (registry name `virt`): libvirt/QEMU and Podman.
{ axios, evalNixos, isSet, hasPackage, ... }:
let
  v = cfg: evalNixos [ axios.nixosModules.virt cfg ];
  vm = v { virt.libvirt.enable = true; };
  ct = v { virt.containers.enable = true; };
in
{
  testLibvirt = {
    expr = {
      libvirtd = vm.config.virtualisation.libvirtd.enable;
      swtpm = vm.config.virtualisation.libvirtd.qemu.swtpm.enable;
      qemu = vm.config.virtualisation.libvirtd.qemu.package.pname;
      manager = vm.config.programs.virt-manager.enable;
      groups = vm.config.axios.users.defaultGroups;
      podman = isSet vm "virtualisation.podman.enable";
    };
    expected = { libvirtd = true; swtpm = true; qemu = "qemu_kvm"; manager = true; groups = [ "libvirtd" "kvm" ]; podman = false; };
  };
  testPodman = {
    expr = {
      inherit (ct.config.virtualisation.podman) enable dockerCompat;
      dns = ct.config.virtualisation.podman.defaultNetwork.settings.dns_enabled;
      compose = hasPackage "podman-compose" ct.config.environment.systemPackages;
      groups = ct.config.axios.users.defaultGroups;
    };
    expected = { enable = true; dockerCompat = true; dns = true; compose = true; groups = [ "podman" ]; };
  };
  testNoDockerCompat = {
    expr = (v { virt.containers = { enable = true; dockerCompat = false; }; }).config.virtualisation.podman.dockerSocket.enable;
    expected = false;
  };
  testNothingByDefault = {
    expr = (v { }).config.environment.systemPackages;
    expected = [ ];
  };
}

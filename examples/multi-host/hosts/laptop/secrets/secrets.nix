# agenix: which keys may decrypt which secret (read by the `agenix` CLI).
let
  # the laptop's SSH host key (`cat /etc/ssh/ssh_host_ed25519_key.pub`)
  laptop = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleExampleExampleExampleExampleExample root@laptop";
in
{
  "wifi.age".publicKeys = [ laptop ];
}

# `axios.package`: the axiOS command line (`axios doctor`, `axios init`),
# installed by the modules that rely on its reports.
{ lib, pkgs, ... }:
{
  options.axios.package = lib.mkPackageOption pkgs "axios" {
    # the workspace package has every axiOS program, `axios` included
    example = "axios-workspace";
    extraDescription = "The `axios` command line (`axios doctor` prints this machine's hardware facts and PRIME bus IDs).";
  };
}

# .NET development.
{ pkgs }:
pkgs.mkShell {
  name = "dotnet";
  packages = [ pkgs.dotnet-sdk_9 pkgs.csharp-ls pkgs.omnisharp-roslyn ];
  DOTNET_CLI_TELEMETRY_OPTOUT = "1";
  DOTNET_ROOT = "${pkgs.dotnet-sdk_9}/share/dotnet";
}

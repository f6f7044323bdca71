# QML / Qt 6 development (Quickshell and DankMaterialShell widgets).
{ pkgs }:
pkgs.mkShell {
  name = "qml";
  packages = [
    pkgs.qt6.qtbase
    pkgs.qt6.qtdeclarative
    pkgs.qt6.qtwayland
    pkgs.qt6.qtsvg
    pkgs.qt6.qttools
    pkgs.quickshell
    pkgs.cmake
    pkgs.ninja
  ];
  # qmlls and qmlformat come with qtdeclarative
  QML_IMPORT_PATH = "${pkgs.qt6.qtdeclarative}/lib/qt-6/qml";
}

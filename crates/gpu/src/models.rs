//! Human model names for the PCI IDs axiOS users commonly have (names as in the
//! PCI ID repository, pci-ids.ucw.cz). Unknown IDs simply have no name.

/// `(vendor, device, name)`.
const MODELS: &[(u16, u16, &str)] = &[
    // Intel integrated and Arc
    (0x8086, 0x3e92, "CoffeeLake-S GT2 [UHD Graphics 630]"),
    (0x8086, 0x3e9b, "CoffeeLake-H GT2 [UHD Graphics 630]"),
    (0x8086, 0x9a49, "TigerLake-LP GT2 [Iris Xe Graphics]"),
    (0x8086, 0x9a60, "TigerLake-H GT1 [UHD Graphics]"),
    (0x8086, 0x46a6, "Alder Lake-P GT2 [Iris Xe Graphics]"),
    (0x8086, 0x4680, "Alder Lake-S GT1 [UHD Graphics 770]"),
    (0x8086, 0xa7a0, "Raptor Lake-P [Iris Xe Graphics]"),
    (0x8086, 0xa780, "Raptor Lake-S GT1 [UHD Graphics 770]"),
    (0x8086, 0x7d55, "Meteor Lake-P [Intel Arc Graphics]"),
    (
        0x8086,
        0x64a0,
        "Lunar Lake [Intel Arc Graphics 130V / 140V]",
    ),
    (0x8086, 0x56a0, "DG2 [Arc A770]"),
    (0x8086, 0x56a5, "DG2 [Arc A380]"),
    (0x8086, 0xe20b, "Battlemage G21 [Arc B580]"),
    // AMD integrated
    (
        0x1002,
        0x15d8,
        "Picasso/Raven 2 [Radeon Vega Series / Radeon Vega Mobile Series]",
    ),
    (
        0x1002,
        0x15dd,
        "Raven Ridge [Radeon Vega Series / Radeon Vega Mobile Series]",
    ),
    (
        0x1002,
        0x1636,
        "Renoir [Radeon RX Vega 6 (Ryzen 4000/5000 Mobile Series)]",
    ),
    (
        0x1002,
        0x1638,
        "Cezanne [Radeon Vega Series / Radeon Vega Mobile Series]",
    ),
    (0x1002, 0x164c, "Lucienne"),
    (0x1002, 0x164e, "Raphael"),
    (0x1002, 0x1681, "Rembrandt [Radeon 680M]"),
    (0x1002, 0x15bf, "Phoenix1"),
    (0x1002, 0x15c8, "Phoenix2"),
    (0x1002, 0x150e, "Strix [Radeon 880M / 890M]"),
    (
        0x1002,
        0x1586,
        "Strix Halo [Radeon Graphics / Radeon 8050S / 8060S]",
    ),
    (0x1002, 0x163f, "VanGogh [AMD Custom GPU 0405]"),
    // AMD discrete
    (
        0x1002,
        0x67df,
        "Ellesmere [Radeon RX 470/480/570/570X/580/580X/590]",
    ),
    (0x1002, 0x687f, "Vega 10 XL/XT [Radeon RX Vega 56/64]"),
    (
        0x1002,
        0x731f,
        "Navi 10 [Radeon RX 5600 OEM/5600 XT / 5700/5700 XT]",
    ),
    (0x1002, 0x73bf, "Navi 21 [Radeon RX 6800/6800 XT / 6900 XT]"),
    (
        0x1002,
        0x73df,
        "Navi 22 [Radeon RX 6700/6700 XT/6750 XT / 6800M/6850M XT]",
    ),
    (0x1002, 0x73ff, "Navi 23 [Radeon RX 6600/6600 XT/6600M]"),
    (
        0x1002,
        0x744c,
        "Navi 31 [Radeon RX 7900 XT/7900 XTX/7900 GRE/7900M]",
    ),
    (0x1002, 0x747e, "Navi 32 [Radeon RX 7700 XT / 7800 XT]"),
    (
        0x1002,
        0x7480,
        "Navi 33 [Radeon RX 7700S/7600/7600S/7600M XT/PRO W7600]",
    ),
    (0x1002, 0x7550, "Navi 48 [Radeon RX 9070/9070 XT/9070 GRE]"),
    // NVIDIA
    (0x10de, 0x1c82, "GP107 [GeForce GTX 1050 Ti]"),
    (0x10de, 0x1f95, "TU117M [GeForce GTX 1650 Ti Mobile]"),
    (0x10de, 0x2184, "TU116 [GeForce GTX 1660]"),
    (0x10de, 0x20b0, "GA100 [A100 SXM4 40GB]"),
    (0x10de, 0x2204, "GA102 [GeForce RTX 3090]"),
    (0x10de, 0x2206, "GA102 [GeForce RTX 3080]"),
    (0x10de, 0x2484, "GA104 [GeForce RTX 3070]"),
    (0x10de, 0x2520, "GA106M [GeForce RTX 3060 Mobile / Max-Q]"),
    (0x10de, 0x2560, "GA106M [GeForce RTX 3060 Mobile / Max-Q]"),
    (0x10de, 0x25a0, "GA107M [GeForce RTX 3050 Ti Mobile]"),
    (0x10de, 0x2684, "AD102 [GeForce RTX 4090]"),
    (0x10de, 0x2704, "AD103 [GeForce RTX 4080]"),
    (0x10de, 0x2782, "AD104 [GeForce RTX 4070 Ti]"),
    (0x10de, 0x2860, "AD106M [GeForce RTX 4070 Max-Q / Mobile]"),
    (0x10de, 0x28a0, "AD107M [GeForce RTX 4060 Max-Q / Mobile]"),
    (0x10de, 0x28e0, "AD107M [GeForce RTX 4060 Max-Q / Mobile]"),
    (0x10de, 0x2b85, "GB202 [GeForce RTX 5090]"),
    // Others seen beside GPUs
    (0x1a03, 0x2000, "ASPEED Graphics Family"),
    (0x1234, 0x1111, "QEMU standard VGA"),
    (0x1af4, 0x1050, "Virtio 1.0 GPU"),
    (0x15ad, 0x0405, "VMware SVGA II Adapter"),
];

/// The model name of PCI device `vendor:device`, if known.
pub fn model_name(vendor: u16, device: u16) -> Option<&'static str> {
    MODELS
        .iter()
        .find(|(v, d, _)| *v == vendor && *d == device)
        .map(|(_, _, n)| *n)
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_and_unknown() {
        assert_eq!(
            super::model_name(0x10de, 0x25a0),
            Some("GA107M [GeForce RTX 3050 Ti Mobile]")
        );
        assert_eq!(super::model_name(0x10de, 0xffff), None);
    }

    #[test]
    fn no_duplicate_ids() {
        let mut ids: Vec<_> = super::MODELS.iter().map(|(v, d, _)| (v, d)).collect();
        ids.sort();
        let before = ids.len();
        ids.dedup();
        assert_eq!(before, ids.len());
    }
}

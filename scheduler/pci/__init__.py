"""PCI device pools as nova's scheduler reads and consumes them
(nova.pci.stats.PciDeviceStats over the compute node's pci_stats)."""

package model

// Merge appends a collector's fragment into inv. Host is taken from the
// first fragment that has one; collectors own disjoint parts of the record.
func (inv *Inventory) Merge(f *Inventory) {
	if f == nil {
		return
	}
	if f.Host != nil && inv.Host == nil {
		inv.Host = f.Host
	}
	inv.Users = append(inv.Users, f.Users...)
	inv.Groups = append(inv.Groups, f.Groups...)
	inv.Sudoers = append(inv.Sudoers, f.Sudoers...)
	inv.AuthorizedKeys = append(inv.AuthorizedKeys, f.AuthorizedKeys...)
	inv.Logins = append(inv.Logins, f.Logins...)
	inv.Processes = append(inv.Processes, f.Processes...)
	inv.Sockets = append(inv.Sockets, f.Sockets...)
	inv.Packages = append(inv.Packages, f.Packages...)
	inv.Services = append(inv.Services, f.Services...)
	inv.StartupItems = append(inv.StartupItems, f.StartupItems...)
	inv.KernelModules = append(inv.KernelModules, f.KernelModules...)
	inv.Applications = append(inv.Applications, f.Applications...)
	inv.WebSites = append(inv.WebSites, f.WebSites...)
	inv.WebApps = append(inv.WebApps, f.WebApps...)
	inv.Containers = append(inv.Containers, f.Containers...)
	inv.Warnings = append(inv.Warnings, f.Warnings...)
}

// Count is the number of asset records in a fragment (host counts as one).
func (inv *Inventory) Count() int {
	n := len(inv.Users) + len(inv.Groups) + len(inv.Sudoers) + len(inv.AuthorizedKeys) + len(inv.Logins) +
		len(inv.Processes) + len(inv.Sockets) + len(inv.Packages) + len(inv.Services) + len(inv.StartupItems) +
		len(inv.KernelModules) + len(inv.Applications) + len(inv.WebSites) + len(inv.WebApps) + len(inv.Containers)
	if inv.Host != nil {
		n++
	}
	return n
}

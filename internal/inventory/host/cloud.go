package host

import (
	"encoding/json"
	"strings"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
)

// azureChassisTag is the chassis asset tag Azure sets on every VM.
const azureChassisTag = "7783-7084-3265-9085-8269-3286-77"

const dmiDir = "/sys/class/dmi/id/"

// cloudFromDMI identifies the provider from SMBIOS strings the providers
// set; the instance ID only where a DMI field reliably carries it.
func cloudFromDMI(d *model.DMI) *model.Cloud {
	if d == nil {
		return nil
	}
	switch {
	case d.SystemVendor == "Amazon EC2" || strings.HasPrefix(d.ProductUUID, "ec2") ||
		strings.Contains(strings.ToLower(d.BIOSVersion), "amazon"):
		c := &model.Cloud{Provider: "aws", Source: dmiDir + "sys_vendor"}
		// Nitro instances put the instance ID in the board asset tag.
		if isEC2InstanceID(d.BoardAssetTag) {
			c.InstanceID, c.Source = d.BoardAssetTag, dmiDir+"board_asset_tag"
		}
		return c
	case d.ChassisAsset == azureChassisTag:
		return &model.Cloud{Provider: "azure", Source: dmiDir + "chassis_asset_tag"}
	case d.SystemVendor == "Google" || d.ProductName == "Google Compute Engine":
		return &model.Cloud{Provider: "gcp", Source: dmiDir + "sys_vendor"}
	case d.SystemVendor == "Alibaba Cloud" || strings.HasPrefix(d.ProductName, "Alibaba Cloud"):
		return &model.Cloud{Provider: "alibaba", Source: dmiDir + "sys_vendor"}
	case d.SystemVendor == "Tencent Cloud":
		return &model.Cloud{Provider: "tencent", Source: dmiDir + "sys_vendor"}
	case strings.HasPrefix(d.ChassisAsset, "OracleCloud"):
		return &model.Cloud{Provider: "oracle", Source: dmiDir + "chassis_asset_tag"}
	case d.SystemVendor == "DigitalOcean":
		return &model.Cloud{Provider: "digitalocean", Source: dmiDir + "sys_vendor"}
	case d.SystemVendor == "Hetzner":
		return &model.Cloud{Provider: "hetzner", Source: dmiDir + "sys_vendor"}
	case strings.HasPrefix(d.ProductName, "OpenStack") || strings.HasPrefix(d.SystemVendor, "OpenStack"):
		// Nova sets the SMBIOS system UUID to the instance UUID.
		c := &model.Cloud{Provider: "openstack", Source: dmiDir + "product_name"}
		if d.ProductUUID != "" {
			c.InstanceID, c.Source = d.ProductUUID, dmiDir+"product_uuid"
		}
		return c
	}
	return nil
}

func isEC2InstanceID(s string) bool {
	rest, ok := strings.CutPrefix(s, "i-")
	if !ok || len(rest) < 8 || len(rest) > 32 {
		return false
	}
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// InstanceData is the part of cloud-init's instance-data.json Ward reads.
type InstanceData struct {
	CloudName  string
	InstanceID string
	Region     string
}

// ParseInstanceData reads cloud-init's instance-data.json. The v1 keys
// have used both "cloud_name" and "cloud-name" spellings; either is taken,
// and a value of the wrong type is ignored rather than failing the file.
func ParseInstanceData(data []byte) (InstanceData, error) {
	var doc struct {
		V1 map[string]json.RawMessage `json:"v1"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return InstanceData{}, err
	}
	str := func(keys ...string) string {
		for _, k := range keys {
			var s string
			if raw, ok := doc.V1[k]; ok && json.Unmarshal(raw, &s) == nil && s != "" {
				return s
			}
		}
		return ""
	}
	return InstanceData{
		CloudName:  strings.ToLower(str("cloud_name", "cloud-name")),
		InstanceID: str("instance_id", "instance-id"),
		Region:     str("region"),
	}, nil
}

// cloudNames maps cloud-init's cloud names and datasource names to Ward's
// provider names; "" marks the ones that are not a cloud.
var cloudNames = map[string]string{
	"aws": "aws", "ec2": "aws", "gce": "gcp", "azure": "azure", "aliyun": "alibaba",
	"openstack": "openstack", "oracle": "oracle", "digitalocean": "digitalocean",
	"hetzner": "hetzner", "ibmcloud": "ibm", "exoscale": "exoscale", "vultr": "vultr",
	"upcloud": "upcloud", "scaleway": "scaleway", "akamai": "akamai", "cloudstack": "cloudstack",
	"nocloud": "", "none": "", "unknown": "", "lxd": "", "configdrive": "", "ovf": "",
	"vmware": "", "rbxcloud": "rbx", "cloudsigma": "cloudsigma", "smartos": "smartos",
}

func providerFromName(name string) string {
	name = strings.ToLower(name)
	if p, ok := cloudNames[name]; ok {
		return p
	}
	if name == "" || len(name) > 32 || !validHostname(name) {
		return ""
	}
	return name
}

// providerFromDatasource reads cloud-init's per-instance "datasource"
// file: "DataSourceEc2Local: DataSourceEc2Local".
func providerFromDatasource(data []byte) string {
	line := firstLine(data)
	ds, _, _ := strings.Cut(line, ":")
	ds, _, _ = strings.Cut(ds, " ")
	ds, ok := strings.CutPrefix(ds, "DataSource")
	if !ok {
		return ""
	}
	ds = strings.TrimSuffix(ds, "Local")
	return providerFromName(ds)
}

const (
	instanceDataFile = "/run/cloud-init/instance-data.json"
	instanceIDFile   = "/var/lib/cloud/data/instance-id"
	datasourceFile   = "/var/lib/cloud/instance/datasource"
)

// detectCloud combines DMI (live only) with cloud-init's files. cloud-init
// knows most (it asked the metadata service at boot); DMI needs nothing
// but the hardware. Ward itself never calls a metadata endpoint.
func detectCloud(env *inventory.Env, dmi *model.DMI) *model.Cloud {
	c := cloudFromDMI(dmi)
	if c == nil {
		c = &model.Cloud{}
	}
	fromInstanceData := false
	if data := readRootFile(env, instanceDataFile, maxInstanceData); data != nil {
		if d, err := ParseInstanceData(data); err != nil {
			env.Warn(instanceDataFile, err)
		} else {
			if p := providerFromName(d.CloudName); p != "" {
				c.Provider = p
			}
			if d.InstanceID != "" && validInstanceID(d.InstanceID) {
				c.InstanceID, c.Source = d.InstanceID, instanceDataFile
				fromInstanceData = true
			}
			if d.Region != "" && validHostname(d.Region) {
				c.Region = d.Region
			}
		}
	}
	if !fromInstanceData {
		// Left by cloud-init on disk, so also present in images.
		if c.Provider == "" {
			c.Provider = providerFromDatasource(readRootFile(env, datasourceFile, maxSmallFile))
			if c.Provider != "" {
				c.Source = datasourceFile
			}
		}
		id := firstLine(readRootFile(env, instanceIDFile, maxSmallFile))
		// DataSourceNone's placeholder is not an instance.
		if c.InstanceID == "" && id != "" && id != "iid-datasource-none" && validInstanceID(id) {
			c.InstanceID, c.Source = id, instanceIDFile
		}
	}
	if c.Provider == "" && isEC2InstanceID(c.InstanceID) {
		c.Provider = "aws"
	}
	if c.Provider == "" && c.InstanceID == "" {
		return nil
	}
	return c
}

func validInstanceID(s string) bool {
	return len(s) <= 128 && printable(s) && !strings.ContainsAny(s, " \t")
}

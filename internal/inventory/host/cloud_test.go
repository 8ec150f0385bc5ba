package host

import (
	"testing"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/testutil"
)

func TestCloudFromDMI(t *testing.T) {
	tests := []struct {
		name string
		dmi  *model.DMI
		want *model.Cloud
	}{
		{"AWS Nitro", &model.DMI{SystemVendor: "Amazon EC2", ProductName: "t3.micro", BoardAssetTag: "i-0f1e2d3c4b5a69788"},
			&model.Cloud{Provider: "aws", InstanceID: "i-0f1e2d3c4b5a69788", Source: "/sys/class/dmi/id/board_asset_tag"}},
		{"AWS Xen", &model.DMI{SystemVendor: "Xen", ProductName: "HVM domU", ProductUUID: "ec2e1916-9099-7caf-fd21-012345abcdef", BIOSVersion: "4.11.amazon"},
			&model.Cloud{Provider: "aws", Source: "/sys/class/dmi/id/sys_vendor"}},
		{"AWS bad asset tag", &model.DMI{SystemVendor: "Amazon EC2", BoardAssetTag: "i-../../etc"},
			&model.Cloud{Provider: "aws", Source: "/sys/class/dmi/id/sys_vendor"}},
		{"Azure", &model.DMI{SystemVendor: "Microsoft Corporation", ProductName: "Virtual Machine", ChassisAsset: azureChassisTag},
			&model.Cloud{Provider: "azure", Source: "/sys/class/dmi/id/chassis_asset_tag"}},
		{"Hyper-V on premises is not Azure", &model.DMI{SystemVendor: "Microsoft Corporation", ProductName: "Virtual Machine"}, nil},
		{"GCE", &model.DMI{SystemVendor: "Google", ProductName: "Google Compute Engine"},
			&model.Cloud{Provider: "gcp", Source: "/sys/class/dmi/id/sys_vendor"}},
		{"Alibaba", &model.DMI{SystemVendor: "Alibaba Cloud", ProductName: "Alibaba Cloud ECS"},
			&model.Cloud{Provider: "alibaba", Source: "/sys/class/dmi/id/sys_vendor"}},
		{"Tencent", &model.DMI{SystemVendor: "Tencent Cloud", ProductName: "CVM"},
			&model.Cloud{Provider: "tencent", Source: "/sys/class/dmi/id/sys_vendor"}},
		{"OpenStack", &model.DMI{SystemVendor: "OpenStack Foundation", ProductName: "OpenStack Nova", ProductUUID: "4ac1b9bc-7b9d-4b5e-9f65-2f0d1c9e8a77"},
			&model.Cloud{Provider: "openstack", InstanceID: "4ac1b9bc-7b9d-4b5e-9f65-2f0d1c9e8a77", Source: "/sys/class/dmi/id/product_uuid"}},
		{"plain QEMU", &model.DMI{SystemVendor: "QEMU", ProductName: "Standard PC (i440FX + PIIX, 1996)"}, nil},
		{"no DMI", nil, nil},
	}
	for _, tc := range tests {
		got := cloudFromDMI(tc.dmi)
		if (got == nil) != (tc.want == nil) || got != nil && *got != *tc.want {
			t.Errorf("%s: cloudFromDMI = %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

// ec2InstanceData is the instance-data subset cloud-init's documentation
// shows for an EC2 instance.
const ec2InstanceData = `{
  "v1": {
    "cloud_name": "aws",
    "distro": "ubuntu",
    "distro_release": "jammy",
    "distro_version": "22.04",
    "instance_id": "i-06b5687b4d7b8595d",
    "machine": "x86_64",
    "platform": "ec2",
    "python_version": "3.10.4",
    "region": "us-east-2",
    "variant": "ubuntu"
  }
}`

func TestParseInstanceData(t *testing.T) {
	tests := []struct {
		in      string
		want    InstanceData
		wantErr bool
	}{
		{ec2InstanceData, InstanceData{CloudName: "aws", InstanceID: "i-06b5687b4d7b8595d", Region: "us-east-2"}, false},
		// older cloud-init spelled the keys with dashes; region may be null
		{`{"v1": {"cloud-name": "OpenStack", "instance-id": "b5", "region": null}}`, InstanceData{CloudName: "openstack", InstanceID: "b5"}, false},
		// a value of the wrong type is ignored, not fatal
		{`{"v1": {"cloud_name": 5, "instance_id": "i-0123456789abcdef0"}}`, InstanceData{InstanceID: "i-0123456789abcdef0"}, false},
		{`{"v1": "nope"}`, InstanceData{}, true},
		{`not json`, InstanceData{}, true},
	}
	for _, tc := range tests {
		got, err := ParseInstanceData([]byte(tc.in))
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("ParseInstanceData(%.40q) = %+v, %v; want %+v (error %v)", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestDetectCloud(t *testing.T) {
	tests := []struct {
		name     string
		files    map[string]string
		dmi      *model.DMI
		want     *model.Cloud
		warnings int
	}{
		{"instance-data wins and gives the region", map[string]string{
			"run/cloud-init/instance-data.json": ec2InstanceData,
			"var/lib/cloud/data/instance-id":    "i-0000000000000000a\n",
		}, &model.DMI{SystemVendor: "Amazon EC2"},
			&model.Cloud{Provider: "aws", InstanceID: "i-06b5687b4d7b8595d", Region: "us-east-2", Source: "/run/cloud-init/instance-data.json"}, 0},
		{"DMI provider, cloud-init id", map[string]string{"var/lib/cloud/data/instance-id": "7d0e3a42-8b4c-4c5e-a0b1-9f3c2d1e0f47\n"},
			&model.DMI{SystemVendor: "Alibaba Cloud"},
			&model.Cloud{Provider: "alibaba", InstanceID: "7d0e3a42-8b4c-4c5e-a0b1-9f3c2d1e0f47", Source: "/var/lib/cloud/data/instance-id"}, 0},
		{"datasource file names the provider", map[string]string{
			"var/lib/cloud/instance":               "->/var/lib/cloud/instances/x",
			"var/lib/cloud/instances/x/datasource": "DataSourceGCELocal: DataSourceGCELocal\n",
		}, nil, &model.Cloud{Provider: "gcp", Source: "/var/lib/cloud/instance/datasource"}, 0},
		{"NoCloud is not a cloud", map[string]string{
			"run/cloud-init/instance-data.json": `{"v1": {"cloud_name": "nocloud", "instance_id": "iid-local01"}}`,
		}, nil, &model.Cloud{InstanceID: "iid-local01", Source: "/run/cloud-init/instance-data.json"}, 0},
		{"DataSourceNone placeholder", map[string]string{"var/lib/cloud/data/instance-id": "iid-datasource-none\n"}, nil, nil, 0},
		{"corrupt instance-data", map[string]string{"run/cloud-init/instance-data.json": "{\"v1\": "}, nil, nil, 1},
		{"nothing", map[string]string{"etc/hostname": "x"}, nil, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env, warnings := inventory.TestEnv(testutil.TempRoot(t, tc.files), "host/info")
			got := detectCloud(env, tc.dmi)
			if (got == nil) != (tc.want == nil) || got != nil && *got != *tc.want {
				t.Errorf("detectCloud = %+v, want %+v", got, tc.want)
			}
			if len(*warnings) != tc.warnings {
				t.Errorf("warnings = %+v, want %d", *warnings, tc.warnings)
			}
		})
	}
}

func TestHypervisorFromDMI(t *testing.T) {
	tests := []struct {
		dmi  model.DMI
		want string
	}{
		{model.DMI{SystemVendor: "QEMU", ProductName: "Standard PC (Q35 + ICH9, 2009)"}, "qemu"},
		{model.DMI{SystemVendor: "Red Hat", ProductName: "KVM"}, "kvm"},
		{model.DMI{SystemVendor: "VMware, Inc.", ProductName: "VMware Virtual Platform"}, "vmware"},
		{model.DMI{SystemVendor: "innotek GmbH", ProductName: "VirtualBox"}, "oracle"},
		{model.DMI{SystemVendor: "Microsoft Corporation", ProductName: "Virtual Machine"}, "microsoft"},
		{model.DMI{SystemVendor: "Amazon EC2", ProductName: "m5.large"}, "amazon"},
		{model.DMI{SystemVendor: "Alibaba Cloud", ProductName: "Alibaba Cloud ECS"}, "kvm"},
		{model.DMI{SystemVendor: "Dell Inc.", ProductName: "PowerEdge R740"}, ""},
	}
	for _, tc := range tests {
		if got := hypervisorFromDMI(&tc.dmi); got != tc.want {
			t.Errorf("hypervisorFromDMI(%+v) = %q, want %q", tc.dmi, got, tc.want)
		}
	}
}

func TestDetectContainer(t *testing.T) {
	tests := []struct {
		files map[string]string
		want  string
	}{
		{map[string]string{".dockerenv": ""}, "docker"},
		{map[string]string{"run/.containerenv": "engine=\"podman-4.3.1\"\n"}, "podman"},
		{map[string]string{"run/systemd/container": "lxc\n", ".dockerenv": ""}, "lxc"},
		{map[string]string{"etc/hostname": "x"}, ""},
	}
	for _, tc := range tests {
		env, _ := inventory.TestEnv(testutil.TempRoot(t, tc.files), "host/info")
		if got := detectContainer(env); got != tc.want {
			t.Errorf("detectContainer(%v) = %q, want %q", tc.files, got, tc.want)
		}
	}
}

#!/bin/bash -e
# pi-gen, inside the target: service user, venv from the wheelhouse (offline, hashes checked), units.
if ! getent passwd carttocart >/dev/null; then
	useradd --system --user-group --home-dir /var/lib/carttocart --no-create-home \
		--shell /usr/sbin/nologin --comment "CartToCart service" carttocart
fi
usermod -a -G dialout carttocart

# No pip inside the venv: the box installs nothing later, and putting pip there
# byte-compiles its 400 files, minutes under the emulation an x86 build runs
# in. Debian's own pip wheel (python3-pip-whl, which python3-venv needs) installs.
python3 -m venv --without-pip /opt/carttocart/venv
pip_wheels=(/usr/share/python-wheels/pip-*.whl)
pip_wheel=${pip_wheels[0]}
/opt/carttocart/venv/bin/python "${pip_wheel}/pip" install --quiet --no-index --no-cache-dir --disable-pip-version-check \
	--require-hashes --find-links /opt/carttocart/wheelhouse -r /opt/carttocart/wheelhouse/requirements.txt
/opt/carttocart/venv/bin/python "${pip_wheel}/pip" install --quiet --no-index --no-cache-dir --disable-pip-version-check \
	--no-deps /opt/carttocart/wheelhouse/carttocart-*.whl
ln -sf /opt/carttocart/venv/bin/carttocart /usr/local/bin/carttocart
rm -rf /opt/carttocart/wheelhouse

install -d -m 750 -o root -g carttocart /etc/carttocart
install -d -m 750 -o carttocart -g carttocart /var/lib/carttocart
systemctl enable carttocart.service carttocart-provision.service carttocart-clock.service \
	carttocart-data.service carttocart-grow-data.service carttocart-wireguard.service carttocart-ssh-tunnel.service \
	carttocart-clock.timer

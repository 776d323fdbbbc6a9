# JupyterHub configuration for the course, written for JupyterHub 6.1.1.
#
# `npm run hub` (tools/hub/hub.ts) starts JupyterHub with this file and passes every setting in
# one JSON environment variable, COURSE_HUB_SETTINGS, so this file holds no paths or ports.
# What it sets up:
#   - log-in: FirstUseAuthenticator (a student sets a password on first log-in; only users that
#     exist in the hub, i.e. imported from the roster or named instructors, may log in)
#   - roles: hub groups instructors / tas / students (the course service reads them)
#   - the course service (tools/course-service) as a managed hub service with OAuth, at /services/course/
#   - idle culling (jupyterhub-idle-culler as a hub service)
#   - one JupyterLab per student, with the course kernel started in the student's home, where
#     ./lib is a read-only copy of the course library (tslab compiles local .ts only below its
#     working directory, and resolves symlinks, so a copy, not a link)
#   - as root: each student is their own system user (group course-students), home 0700, the
#     data folder's gradebook and hub state unreadable to them; otherwise one OS user for all
#     (the launcher says loudly that this is a single-user demo mode)
import grp
import json
import os
import pwd
import shutil
import signal
import subprocess
import threading
import time

from jupyterhub.app import JupyterHub

S = json.loads(os.environ["COURSE_HUB_SETTINGS"])
c = get_config()  # noqa: F821 (provided by JupyterHub)

DATA = S["dataDir"]
HUB_DIR = os.path.join(DATA, "hub")
HOMES = os.path.join(DATA, "homes")
STUDENT_GROUP = "course-students"

# --- where the hub listens and keeps its state (all inside the data folder) ---
c.JupyterHub.bind_url = f"http://{S['ip']}:{S['port']}/"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{S['hubPort']}"
c.JupyterHub.db_url = "sqlite:///" + os.path.join(HUB_DIR, "jupyterhub.sqlite")
c.JupyterHub.cookie_secret_file = os.path.join(HUB_DIR, "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = os.path.join(HUB_DIR, "jupyterhub.pid")
c.ConfigurableHTTPProxy.command = [S["node"], S["proxy"]]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{S['proxyApiPort']}"
c.ConfigurableHTTPProxy.pid_file = os.path.join(HUB_DIR, "proxy.pid")
c.ConfigurableHTTPProxy.should_start = True

# --- stopping: one shutdown, and never a hub left behind ---
_shutdown = JupyterHub.shutdown_cancel_tasks


async def _shutdown_once(self, sig=None):
    # JupyterHub 6.1.1 begins a shutdown per SIGINT/SIGTERM; a second one cancels the first in
    # the middle of its cleanup and the hub hangs, its proxy, services and servers still running
    # (Ctrl-C signals every process of a terminal's job, and wrappers pass signals on). Only the
    # first signal counts.
    if getattr(self, "_course_stopping", False):
        self.log.warning("already stopping; signal %s ignored", getattr(sig, "name", sig))
        return
    self._course_stopping = True
    await _shutdown(self, sig)


JupyterHub.shutdown_cancel_tasks = _shutdown_once
_PARENT = os.getppid()


def _stop_when_orphaned():
    # npm run hub (or the test harness) started this hub; if it dies without stopping it (SIGKILL),
    # the hub stops itself, with its servers, instead of running on unseen.
    while os.getppid() == _PARENT:
        time.sleep(2)
    os.kill(os.getpid(), signal.SIGTERM)


threading.Thread(target=_stop_when_orphaned, name="course-parent-watch", daemon=True).start()

# --- accounts ---
c.JupyterHub.authenticator_class = "firstuseauthenticator.FirstUseAuthenticator"
c.FirstUseAuthenticator.dbm_path = os.path.join(HUB_DIR, "passwords.dbm")
c.FirstUseAuthenticator.create_users = False  # only users the roster (or --instructor) created
c.FirstUseAuthenticator.min_password_length = 8
c.Authenticator.allow_all = True  # every user that exists in the hub; create_users=False keeps strangers out
# Names that must never become course accounts (system accounts, the service's own names).
c.Authenticator.blocked_users = set(S.get("blockedUsers", []))

c.JupyterHub.load_groups = {
    "instructors": {"users": S.get("instructors", [])},
    "tas": {"users": S.get("tas", [])},
    "students": {"users": []},
}

c.JupyterHub.load_roles = [
    # Every user may use the course service (OAuth access) besides their own server.
    {"name": "user", "scopes": ["self", "access:services!service=course"]},
    {
        "name": "course-service",
        "scopes": ["list:users", "read:users", "read:groups", "list:groups", "admin:users", "admin:groups"],
        "services": ["course"],
    },
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    },
]
if S.get("testAdminToken"):
    # Only for the test suite (npm run test:class): a token that may create users and tokens.
    c.JupyterHub.load_roles.append({"name": "course-test-admin", "scopes": ["admin:users", "admin:groups", "tokens", "list:users", "read:users", "admin:servers"], "services": ["course-test-admin"]})

service_env = {
    "COURSE_DATA_DIR": DATA,
    "COURSE_TIME_ZONE": S["timeZone"],
    "PATH": os.environ.get("PATH", ""),
    "HOME": os.environ.get("HOME", "/root"),
}
for key in ("DATABASE_URL", "COURSE_LEASE_SECONDS", "COURSE_RATE_PER_MINUTE", "COURSE_MAX_NOTEBOOK_BYTES", "COURSE_GRADER_TIMEOUT_SCALE", "COURSE_SECURE_COOKIES"):
    if os.environ.get(key):
        service_env[key] = os.environ[key]

c.JupyterHub.services = [
    {
        "name": "course",
        "url": f"http://127.0.0.1:{S['servicePort']}",
        "command": [S["node"], S["tsx"], os.path.join(S["repo"], "tools", "course-service", "main.ts"), *S.get("serviceArgs", [])],
        "cwd": S["repo"],
        "environment": service_env,
        "oauth_no_confirm": True,
        "display": True,
    },
    {
        "name": "idle-culler",
        # Checked every minute, or more often for a short timeout (the tests cull after seconds).
        "command": [S["python"], "-m", "jupyterhub_idle_culler", f"--timeout={S['idleTimeout']}", f"--cull-every={max(5, min(60, S['idleTimeout'] // 2))}"],
    },
]
if S.get("testAdminToken"):
    c.JupyterHub.services.append({"name": "course-test-admin", "api_token": S["testAdminToken"]})

# --- one JupyterLab per student ---
c.Spawner.cmd = [S["singleuser"]]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.environment = {
    "JUPYTER_PATH": os.path.join(DATA, "jupyter"),
    "PATH": os.path.dirname(S["studentNode"]) + ":" + os.path.dirname(S["singleuser"]) + ":/usr/local/bin:/usr/bin:/bin",
    "COURSE_BACKEND": os.environ.get("COURSE_BACKEND", ""),
    "COURSE_TRAIN_SCALE": os.environ.get("COURSE_TRAIN_SCALE", ""),
}


def prepare_home(home, owner_uid=None, owner_gid=None):
    """The student's home: their files, plus a fresh read-only copy of the course library."""
    os.makedirs(home, exist_ok=True)
    lib = os.path.join(home, "lib")
    tmp = lib + ".new"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(os.path.join(S["repo"], "lib"), tmp)
    shutil.rmtree(lib, ignore_errors=True)
    os.rename(tmp, lib)
    # node_modules: the checkout's, or its copy staged where students can reach it (tools/hub/stage.ts).
    link = os.path.join(home, "node_modules")
    target = S["studentNodeModules"]
    if not (os.path.islink(link) and os.readlink(link) == target):
        if os.path.isdir(link) and not os.path.islink(link):
            shutil.rmtree(link)
        os.symlink(target, link + ".new")
        os.replace(link + ".new", link)
    if S.get("stage"):
        os.utime(S["stage"])  # in use: a stage untouched for a day may be removed
    if owner_uid is not None:
        os.chown(home, owner_uid, owner_gid)
        os.chmod(home, 0o700)
        for root, dirs, files in os.walk(lib):  # read-only for the student: the library is the course's
            for d in dirs:
                os.chmod(os.path.join(root, d), 0o755)
            for f in files:
                os.chmod(os.path.join(root, f), 0o644)


if S["multiUser"]:
    # Root: each student runs as their own system user, created on first spawn.
    c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"

    def ensure_system_user(name):
        home = os.path.join(HOMES, name)
        try:
            pw = pwd.getpwnam(name)
        except KeyError:
            subprocess.run(["useradd", "--no-create-home", "--home-dir", home, "--gid", STUDENT_GROUP, "--shell", "/bin/bash", name], check=True)
            pw = pwd.getpwnam(name)
        if pw.pw_gid != grp.getgrnam(STUDENT_GROUP).gr_gid or pw.pw_uid < 1000:
            # Never start a server as an account that is not a course account (root, postgres, …).
            raise RuntimeError(f"the system account {name!r} exists and is not a course account (group {STUDENT_GROUP}); rename the student")
        if pw.pw_dir != home:
            # A course account from another data folder: its home follows this one.
            subprocess.run(["usermod", "--home", home, name], check=True)
            pw = pwd.getpwnam(name)
        return pw

    def pre_spawn_hook(spawner):
        pw = ensure_system_user(spawner.user.name)
        prepare_home(pw.pw_dir, pw.pw_uid, pw.pw_gid)

    c.LocalProcessSpawner.notebook_dir = "~"
else:
    c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
    c.SimpleLocalProcessSpawner.home_dir_template = os.path.join(HOMES, "{username}")

    def pre_spawn_hook(spawner):
        prepare_home(os.path.join(HOMES, spawner.user.name))

c.Spawner.pre_spawn_hook = pre_spawn_hook

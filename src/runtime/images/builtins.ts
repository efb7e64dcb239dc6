import { dirname } from 'node:path';
import type { ImageConfig } from './imageConfig.js';

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Where each container of the busybox image finds the applets (bind-mounted read-only). */
export const BUSYBOX_APPLET_DIR = '/.tinylet/busybox';

const NGINX_CONF = `user www-data;
worker_processes 1;
pid /run/nginx.pid;
error_log /dev/stderr notice;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log /dev/stdout;
  sendfile on;
  keepalive_timeout 65;
  server {
    listen 80;
    listen [::]:80;
    server_name localhost;
    location / {
      root /usr/share/nginx/html;
      index index.html index.htm;
    }
  }
}
`;

const NGINX_INDEX = `<!DOCTYPE html>
<html>
<head><title>Welcome to nginx!</title></head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and working.</p>
</body>
</html>
`;

/**
 * Host-backed images: their programs come from the host's packages, their config files are laid into
 * each container's writable layer, so every container starts from the same state, as from an image.
 */
export function builtinImages(): Record<string, ImageConfig> {
  return {
    busybox: {
      entrypoint: [],
      cmd: ['sh'],
      env: { PATH: `${BUSYBOX_APPLET_DIR}:${DEFAULT_PATH}` },
      requires: [{ path: '/bin/busybox', hint: 'apt-get install busybox-static' }],
      busyboxApplets: true,
    },
    nginx: {
      entrypoint: [],
      cmd: ['nginx', '-g', 'daemon off;'],
      env: { PATH: DEFAULT_PATH, NGINX_VERSION: 'host' },
      stopSignal: 'SIGQUIT',
      files: { '/etc/nginx/nginx.conf': NGINX_CONF, '/usr/share/nginx/html/index.html': NGINX_INDEX },
      requires: [{ path: '/usr/sbin/nginx', hint: 'apt-get install nginx-light' }],
    },
    node: {
      entrypoint: [],
      cmd: ['node'],
      env: { PATH: `${dirname(process.execPath)}:${DEFAULT_PATH}`, NODE_VERSION: process.versions.node },
      // The agent's own node: shown even when it lives where a host-backed root hides (~/.nvm...).
      hostPaths: [dirname(dirname(process.execPath))],
    },
    python: {
      entrypoint: [],
      cmd: ['python3'],
      env: { PATH: DEFAULT_PATH, LANG: 'C.UTF-8' },
      requires: [{ path: '/usr/bin/python3', hint: 'apt-get install python3' }],
    },
  };
}

#!/usr/bin/env bash
# Starts GridDesk on the built-in demo district (generated on first use), installing
# it first only when the virtual environment .venv lacks something pyproject.toml asks
# for: a complete .venv starts without network or package index.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -x .venv/bin/python ] && .venv/bin/python tools/venv_complete.py 2>/dev/null; then
  echo "GridDesk 已安装（.venv 完整），无需联网 / already installed, no network needed"
else
  [ -x .venv/bin/python ] && .venv/bin/python tools/venv_complete.py || true
  echo "正在安装 GridDesk 到 .venv / installing GridDesk into .venv"
  bash tools/bootstrap.sh
fi

# The data folder the window will use: --data-dir if given, else the demo's own folder.
data_dir=""
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    --data-dir) data_dir="${args[$((i + 1))]:-}" ;;
    --data-dir=*) data_dir="${args[$i]#--data-dir=}" ;;
  esac
done
if [ -z "$data_dir" ]; then
  data_dir="$(QT_QPA_PLATFORM=offscreen .venv/bin/python -c '
from desktop.app import set_identity
from desktop.paths import demo_data_dir
set_identity()
print(demo_data_dir())')"
fi

cat <<TEXT
正在启动网格工作台演示版 / starting the GridDesk demo
  数据文件夹 / data folder: $data_dir
  日志 / log: $data_dir/logs/griddesk.log
  演示账号（密码均为 griddesk-demo）/ demo accounts, password griddesk-demo:
    reception        接待员 / reception (长河街道)
    coordinator      调度员 / coordinator (长河街道)
    official         领导 / official (county)
    dept_huanwei     部门 / a department (区环境卫生管理中心)
    gw_1             网格员 / grid worker
    admin            管理员 / administrator
  其他命令请用 .venv/bin/python main.py …（例如 .venv/bin/python main.py --help）
  for the other commands use .venv/bin/python main.py … (e.g. .venv/bin/python main.py --help)
TEXT
exec .venv/bin/python main.py --demo "$@"

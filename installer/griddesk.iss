; GridDesk's Windows installer (Inno Setup 6). Build it on Windows with
;     python installer\build.py windows
; which builds the PyInstaller bundle (dist\GridDesk) and then runs
;     iscc /DAppVersion=<version> /DNumericVersion=<n.n.n.n> /DSourceDir=<repository>
;          /DFilesDir=<repository>\dist\GridDesk /DOutputDir=<repository>\dist
;          /DIconFile=<repository>\build\installer\griddesk.ico installer\griddesk.iss
;
; Defines passed on the iscc command line (the version is never written here;
; its one place is services/version.py):
;   AppVersion     - the version shown to people, from services/version.py
;   NumericVersion - the same as four numbers for the file's version resource
;   SourceDir      - the repository
;   FilesDir       - the PyInstaller one-folder bundle, with GridDesk.exe at its top
;   OutputDir      - where GridDesk-<version>-setup.exe is written (default: dist)
;   IconFile       - the installer's icon (optional; build.py makes it from app.svg)
;
; A per-machine install in Program Files, with a Start-menu folder 网格工作台 (GridDesk,
; the demo district, the uninstaller), an optional desktop shortcut and an
; entry in Windows' list of installed programs. Each user's data (database,
; attachments, logs, backups) lives in %LOCALAPPDATA%\GridDesk and is never
; touched by the uninstaller. The file is UTF-8 with a byte order mark.

; ArchitecturesAllowed=x64compatible (below) is Inno Setup 6.3's.
#if VER < EncodeVer(6, 3, 0)
  #error The GridDesk installer needs Inno Setup 6.3 or newer: install it from jrsoftware.org
#endif

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=... (python installer\build.py windows does it)
#endif
#ifndef NumericVersion
  #error Pass the numeric version: iscc /DNumericVersion=1.2.3.0
#endif
#ifndef SourceDir
  #error Pass the repository: iscc /DSourceDir=...
#endif
#ifndef FilesDir
  #error Pass the bundle: iscc /DFilesDir=...\dist\GridDesk
#endif
#ifndef OutputDir
  #define OutputDir AddBackslash(SourceDir) + "dist"
#endif

#define AppName "GridDesk"
#define AppExeName "GridDesk.exe"
#define AppCliName "griddesk-cli.exe"
#define AppPublisher "GridDesk"
#define ChineseMessages AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl"

; The wizard is in Chinese: without Inno Setup's Chinese messages it would silently
; be in English, so the build stops instead.
#if !FileExists(ChineseMessages)
  #error Languages\ChineseSimplified.isl is missing from Inno Setup's folder: put it there (from Inno Setup's translations page) and build again
#endif

#if !FileExists(AddBackslash(FilesDir) + AppExeName)
  #error The bundle has no GridDesk.exe: run PyInstaller first (python installer\build.py windows)
#endif

[Setup]
AppId={{6B1E0C7A-3F2D-4C58-9E21-7D4A5B9C0E13}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppPublisher}
VersionInfoVersion={#NumericVersion}
VersionInfoProductVersion={#NumericVersion}
VersionInfoDescription={#AppName} Setup
SourceDir={#SourceDir}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName=网格工作台
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#OutputDir}
OutputBaseFilename={#AppName}-{#AppVersion}-setup
#ifdef IconFile
#if FileExists(IconFile)
SetupIconFile={#IconFile}
#endif
#endif
UninstallDisplayIcon={app}\{#AppExeName}
UninstallDisplayName={#AppName} {#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ShowLanguageDialog=auto
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
Name: "english"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
english.AppTitle=GridDesk
english.DemoTitle=GridDesk (demo district)
english.DataKept=GridDesk has been removed. Each user's data (cases, attachments, settings, logs and backups) is kept in %1. Delete that folder yourself only when the data is no longer needed.
chinesesimplified.AppTitle=网格工作台
chinesesimplified.DemoTitle=网格工作台（演示数据）
chinesesimplified.DataKept=网格工作台已卸载。各用户的数据（案件、附件、设置、日志和备份）仍保留在 %1 中。确认不再需要这些数据后，可自行删除该文件夹。

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[InstallDelete]
; An upgrade replaces the bundle whole: files an older version had and this one has not
; (a Qt plug-in, a module renamed) would otherwise stay and be loaded.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#FilesDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{cm:AppTitle}"; Filename: "{app}\{#AppExeName}"; WorkingDir: "{app}"
Name: "{group}\{cm:DemoTitle}"; Filename: "{app}\{#AppExeName}"; Parameters: "--demo"; WorkingDir: "{app}"
Name: "{group}\{cm:UninstallProgram,{cm:AppTitle}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{cm:AppTitle}"; Filename: "{app}\{#AppExeName}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{cm:AppTitle}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only what the program may have left in its own folder; never the users' data.
Type: filesandordirs; Name: "{app}\_internal\__pycache__"

[Code]
// The uninstaller removes the program only; say where the data stays.
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and (not UninstallSilent) then
    MsgBox(FmtMessage(CustomMessage('DataKept'), ['%LOCALAPPDATA%\GridDesk']), mbInformation, MB_OK);
end;

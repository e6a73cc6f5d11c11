; Inno Setup 6 script: the per-user Windows installer of gridvisit (网格走访).
;
; Built by `python tools/bundle.py installer` after `tools/bundle.py build` (the release
; workflow does both on windows-latest), which runs
;   ISCC.exe /Q /DAppVersion=<version from pyproject.toml> /DBundleDir=dist\gridvisit /DOutDir=dist packaging\windows\gridvisit.iss
; and writes dist\gridvisit-<version>-setup.exe. README.md says how to build it by hand.
;
; Promises (tests/packaging/test_installer_script.py checks each):
; - installs for the current user only, without administrator rights
;   (PrivilegesRequired=lowest, into %LOCALAPPDATA%\Programs\gridvisit);
; - Start-menu and desktop shortcuts with Chinese names;
; - the uninstaller removes the program files only: the user's data folder
;   (%LOCALAPPDATA%\gridvisit\gridvisit: databases, key files, backups, logs) is never
;   touched, so there is no [UninstallDelete] or [InstallDelete] section;
; - the version is the package's, passed in, never written here.
; This file is UTF-8 with a byte-order mark: Inno Setup reads it as Unicode only then.

#ifndef AppVersion
  #error AppVersion is not defined: build with `python tools/bundle.py installer` (it reads pyproject.toml)
#endif
#ifndef BundleDir
  #define BundleDir "..\..\dist\gridvisit"
#endif
#ifndef OutDir
  #define OutDir "..\..\dist"
#endif
#define AppNameZh "网格走访"
#define AppExe "gridvisit.exe"

[Setup]
; Never change AppId: upgrades and the uninstaller find the installation by it.
AppId={{6E0B7F52-3C1A-4C8E-9A57-2F1D6B40C9A3}
AppName={#AppNameZh}
AppVersion={#AppVersion}
AppVerName={#AppNameZh} {#AppVersion}
AppPublisher=gridvisit
; Per user, no administrator rights, no prompt offering to install for everyone.
PrivilegesRequired=lowest
DefaultDirName={userpf}\gridvisit
DefaultGroupName={#AppNameZh}
DisableProgramGroupPage=yes
UsedUserAreasWarning=no
OutputDir={#OutDir}
OutputBaseFilename=gridvisit-{#AppVersion}-setup
SetupIconFile=..\..\resources\icons\gridvisit.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppNameZh} {#AppVersion}
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ShowLanguageDialog=no
; An upgrade asks a running 网格走访 to close (it saves as on any close) before copying.
CloseApplications=yes
RestartApplications=no

[Languages]
#if FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
Name: "zh"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
#else
; An Inno Setup without the Chinese wizard texts: its buttons stay English, ours below are Chinese.
Name: "zh"; MessagesFile: "compiler:Default.isl"
#endif

[CustomMessages]
DesktopIcon=在桌面上创建“网格走访”快捷方式
ShortcutsGroup=快捷方式:
Launch=现在打开网格走访
Uninstall=卸载网格走访
SelfTest=网格走访自检
DataKept=网格走访已卸载。%n%n您的数据库、密钥文件和备份没有删除,仍在:%n%1%n%n如果以后重新安装,程序会继续使用这些数据。

[Tasks]
Name: "desktopicon"; Description: "{cm:DesktopIcon}"; GroupDescription: "{cm:ShortcutsGroup}"

[Files]
; The whole one-folder bundle, gridvisit.exe (no console) and gridvisit-cli.exe beside it.
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppNameZh}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"
; The windowed executable shows the self-test's report in a message box (a console
; window would close before it could be read).
Name: "{group}\{cm:SelfTest}"; Filename: "{app}\{#AppExe}"; Parameters: "--self-test"; WorkingDir: "{app}"
Name: "{group}\{cm:Uninstall}"; Filename: "{uninstallexe}"
Name: "{userdesktop}\{#AppNameZh}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:Launch}"; Flags: nowait postinstall skipifsilent

[Code]
{ The uninstaller says where the data stayed (platformdirs' user data folder). }
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and not UninstallSilent then
    MsgBox(FmtMessage(CustomMessage('DataKept'), [ExpandConstant('{localappdata}\gridvisit\gridvisit')]),
      mbInformation, MB_OK);
end;

@echo off
rem Build, test, run, pack and publish Microsoft.ML.Gan on Windows. Verbs match build.sh.
setlocal
cd /d "%~dp0"
set DOTNET_CLI_TELEMETRY_OPTOUT=1
set DOTNET_NOLOGO=1
if "%CONFIGURATION%"=="" set CONFIGURATION=Release
set VERB=%1
if "%VERB%"=="" set VERB=build
shift
set ARGS=
:collect
if "%~1"=="" goto run
set ARGS=%ARGS% %1
shift
goto collect
:run
where dotnet >nul 2>nul || (echo error: the .NET SDK 10 ^('dotnet'^) is not on PATH; see README.md, Requirements. 1>&2 & exit /b 1)
if /i "%VERB%"=="build"   dotnet build GanMlNet.sln -c %CONFIGURATION% %ARGS% & exit /b %ERRORLEVEL%
if /i "%VERB%"=="test"    goto test
if /i "%VERB%"=="train"   dotnet run --project src\Gan.Samples -c %CONFIGURATION% -- train %ARGS% & exit /b %ERRORLEVEL%
if /i "%VERB%"=="run"     dotnet run --project src\Gan.Samples -c %CONFIGURATION% -- %ARGS% & exit /b %ERRORLEVEL%
if /i "%VERB%"=="sample"  dotnet run --project src\Gan.Samples -c %CONFIGURATION% -- %ARGS% & exit /b %ERRORLEVEL%
if /i "%VERB%"=="pack"    dotnet pack src\Microsoft.ML.Gan -c %CONFIGURATION% -o artifacts\packages %ARGS% & exit /b %ERRORLEVEL%
if /i "%VERB%"=="publish" dotnet publish src\Gan.Samples -c %CONFIGURATION% -o artifacts\publish %ARGS% & exit /b %ERRORLEVEL%
if /i "%VERB%"=="bench"   echo The benchmarks need Debian's python3-torch; run build.sh bench on Linux. 1>&2 & exit /b 1
echo usage: build.cmd build^|test^|train^|run ^<command^>^|pack^|publish^|bench [args] 1>&2
exit /b 2
:test
dotnet test GanMlNet.sln -c %CONFIGURATION% %ARGS% || exit /b 1
dotnet publish src\Gan.Samples -c %CONFIGURATION% -o artifacts\publish --nologo -v quiet || exit /b 1
artifacts\publish\gan-samples.exe mnist --output artifacts\publish-smoke
exit /b %ERRORLEVEL%

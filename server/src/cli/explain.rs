use std::process::ExitCode;

use crate::rules::Rule;

pub fn run(rule: Option<&str>) -> ExitCode {
    let Some(key) = rule else {
        for r in Rule::ALL {
            let i = r.info();
            println!(
                "{}  {:<34} {:<11} {}",
                i.code,
                i.name,
                i.default.as_str(),
                i.summary
            );
        }
        return ExitCode::SUCCESS;
    };
    match Rule::lookup(key) {
        Some(r) => {
            let i = r.info();
            println!("{} {} (default: {})\n", i.code, i.name, i.default.as_str());
            println!("{}", i.explanation);
            println!(
                "\nConfigure: [rules] {} = \"off\" | \"hint\" | \"information\" | \"warning\" | \"error\"",
                i.code
            );
            println!(
                "Suppress:  <!-- deployspec-disable-next-line {} -->",
                i.code
            );
            ExitCode::SUCCESS
        }
        None => {
            eprintln!("error: unknown rule `{key}`: run `deployspec explain` to list the rules");
            ExitCode::from(2)
        }
    }
}

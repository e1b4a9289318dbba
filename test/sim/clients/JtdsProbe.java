import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

/** Runs SELECT 1 and SELECT @@SPID through jTDS (tds=8.0 is its name for TDS 7.1); prints "<one> <spid>". */
public class JtdsProbe {
  public static void main(String[] args) throws Exception {
    Class.forName("net.sourceforge.jtds.jdbc.Driver");
    String url = "jdbc:jtds:sqlserver://127.0.0.1:" + args[0] + "/master;tds=8.0;ssl=" + args[1] + ";loginTimeout=5;socketTimeout=10";
    StringBuilder out = new StringBuilder();
    try (Connection c = DriverManager.getConnection(url, "sqlprobe", "Sim-Passw0rd"); Statement s = c.createStatement()) {
      for (String q : new String[] {"SELECT 1", "SELECT @@SPID"}) {
        try (ResultSet r = s.executeQuery(q)) {
          r.next();
          out.append(out.length() > 0 ? " " : "").append(r.getInt(1));
        }
      }
    }
    System.out.println(out);
  }
}
